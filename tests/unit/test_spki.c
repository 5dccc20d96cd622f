/*
 * Tests for the structural SubjectPublicKeyInfo check (lib/spki.c).
 *
 * The keys below were made for this file with openssl(1) 3.0:
 *   openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 |
 *     openssl pkey -pubout -outform DER
 *   openssl genpkey -algorithm ED25519 | openssl pkey -pubout -outform DER
 *   openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:B |
 *     openssl pkey -pubout -outform DER	(B = 1024, 2047, 2048, 4096)
 * Other inputs come from a small DER writer here, which is first shown to
 * rebuild those keys byte for byte from the parts OpenSSL reads out of
 * them.  Last, every single-byte change and every truncation of each
 * valid key is judged by OpenSSL as well, and both must agree.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/x509.h>

#include "za_model.h"
#include "za_spki.h"
#include "../spki_oracle.h"

/* ---------------------------------------------------------------- keys */
static const unsigned char p256_der[] = {
	0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02,
	0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03,
	0x42, 0x00, 0x04, 0x14, 0x36, 0x3e, 0xa0, 0x09, 0xfd, 0xdc, 0x07, 0xe8,
	0x97, 0xfc, 0xba, 0xc7, 0x6a, 0x46, 0xf3, 0x6e, 0x3b, 0xec, 0x3c, 0xee,
	0x6a, 0x05, 0x86, 0x06, 0x87, 0x00, 0x9c, 0x09, 0x36, 0xa3, 0x28, 0x15,
	0x8e, 0x85, 0xca, 0x4c, 0xbf, 0xee, 0x95, 0x21, 0x32, 0x59, 0x87, 0xe1,
	0x00, 0xde, 0xd0, 0x6d, 0x00, 0xce, 0x71, 0x10, 0x8f, 0xb5, 0x7c, 0x2a,
	0x75, 0x46, 0xc5, 0xa2, 0x62, 0x36, 0x63
};
static const unsigned char ed_der[] = {
	0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
	0x1a, 0xfa, 0xf6, 0x81, 0x7c, 0x30, 0x97, 0x1a, 0x90, 0x70, 0xcc, 0xd2,
	0x14, 0xe9, 0x60, 0xf5, 0x6f, 0xc5, 0x43, 0xbd, 0x69, 0x55, 0x9d, 0x87,
	0x89, 0xf1, 0x70, 0x0e, 0xa8, 0x29, 0x84, 0x98
};
static const unsigned char rsa1024_der[] = {
	0x30, 0x81, 0x9f, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7,
	0x0d, 0x01, 0x01, 0x01, 0x05, 0x00, 0x03, 0x81, 0x8d, 0x00, 0x30, 0x81,
	0x89, 0x02, 0x81, 0x81, 0x00, 0xab, 0x5a, 0x98, 0x5e, 0xcb, 0x84, 0xa5,
	0x66, 0xa5, 0x09, 0x9d, 0xb8, 0xc2, 0x1f, 0x38, 0x37, 0x6b, 0xef, 0xb0,
	0x13, 0x7e, 0xcb, 0x82, 0x17, 0xdc, 0x20, 0x80, 0x19, 0x03, 0xf1, 0x01,
	0xc4, 0xe9, 0xcb, 0xfb, 0xb5, 0xfd, 0x9e, 0x84, 0xe4, 0x81, 0x0b, 0x8b,
	0x18, 0x16, 0x96, 0x5d, 0xc7, 0xa5, 0xb9, 0xef, 0xae, 0x7d, 0xc1, 0x87,
	0x3a, 0x0d, 0xe8, 0x7f, 0x63, 0x3c, 0xe9, 0xc2, 0xbb, 0x6a, 0xcf, 0xf2,
	0x0c, 0xfa, 0x3a, 0xee, 0x29, 0x00, 0xdf, 0x1f, 0x95, 0x1d, 0x2c, 0x22,
	0x40, 0x74, 0x1f, 0xe9, 0x5b, 0xf6, 0xf6, 0xcd, 0x4b, 0x63, 0x7f, 0xe3,
	0x62, 0xd0, 0x92, 0x3c, 0x13, 0x2e, 0xc6, 0x88, 0xee, 0xe2, 0xce, 0xb4,
	0x8e, 0x4d, 0x38, 0x73, 0x45, 0x5c, 0x98, 0x16, 0x57, 0x9c, 0xd1, 0xd8,
	0x6b, 0x62, 0xdf, 0xe2, 0x4e, 0x4e, 0x67, 0xac, 0x8a, 0xbb, 0x49, 0x9c,
	0x83, 0x02, 0x03, 0x01, 0x00, 0x01
};
static const unsigned char rsa2047_der[] = {
	0x30, 0x82, 0x01, 0x21, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
	0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00, 0x03, 0x82, 0x01, 0x0e, 0x00,
	0x30, 0x82, 0x01, 0x09, 0x02, 0x82, 0x01, 0x00, 0x67, 0xbe, 0xf5, 0xf3,
	0xd7, 0xe4, 0xb6, 0xcf, 0x9c, 0x18, 0x75, 0x5c, 0x08, 0x74, 0xfe, 0x91,
	0x96, 0xc1, 0x60, 0xb0, 0xeb, 0x2d, 0xca, 0xa8, 0x6b, 0x79, 0x3a, 0x0d,
	0xe8, 0x13, 0x30, 0x14, 0x4f, 0x30, 0x0b, 0x3f, 0xa4, 0x95, 0x59, 0x0a,
	0x75, 0x77, 0x3c, 0xbf, 0x68, 0x5f, 0x1a, 0x63, 0x25, 0x36, 0x9a, 0x06,
	0x02, 0x3b, 0x64, 0xf7, 0x9c, 0x70, 0x8d, 0xe7, 0xf9, 0x6c, 0x02, 0x7b,
	0xbd, 0x66, 0x0c, 0xc3, 0x0d, 0x8b, 0xf6, 0xe2, 0x4a, 0x8f, 0xc3, 0x89,
	0x88, 0x8c, 0xb0, 0xdc, 0x99, 0x3f, 0x15, 0xb7, 0xf2, 0x72, 0x12, 0xae,
	0x5d, 0xbd, 0x31, 0xb1, 0x7d, 0xc4, 0xc1, 0xc4, 0xde, 0x0e, 0xcc, 0x0e,
	0xb8, 0x07, 0xa4, 0x84, 0x20, 0xa3, 0x3c, 0x76, 0x2b, 0x48, 0x2c, 0xf9,
	0xd0, 0x7c, 0xc4, 0x5b, 0x5f, 0x8c, 0xc9, 0x0b, 0x32, 0x8b, 0x66, 0x97,
	0xc2, 0xa1, 0xdb, 0x52, 0x76, 0xaf, 0x53, 0xa8, 0x7c, 0x0e, 0x4f, 0xa4,
	0xae, 0x67, 0xc2, 0x53, 0xdd, 0x7f, 0x2e, 0xb0, 0x9f, 0xfe, 0x47, 0x85,
	0xa1, 0x53, 0x87, 0x13, 0xd1, 0xee, 0xa1, 0x2e, 0xe9, 0x0b, 0x44, 0xa5,
	0x85, 0xb1, 0xc5, 0x2c, 0x36, 0x50, 0x73, 0x3c, 0x80, 0xf6, 0x1a, 0x62,
	0x67, 0xea, 0xa6, 0x64, 0x5d, 0x60, 0x08, 0xd4, 0x58, 0x35, 0xcc, 0x98,
	0x8d, 0x49, 0x3c, 0x15, 0xe2, 0xce, 0x8a, 0xa6, 0x85, 0x7c, 0x64, 0xa8,
	0x08, 0xdf, 0x98, 0x70, 0xac, 0xa9, 0xff, 0x4f, 0x5e, 0x41, 0xdb, 0xc4,
	0xd6, 0x12, 0xa6, 0x65, 0x46, 0x3b, 0x01, 0xcb, 0xdc, 0xf3, 0xd0, 0x4f,
	0xa4, 0xae, 0xcc, 0x40, 0x41, 0x94, 0xc3, 0xe7, 0xc5, 0x03, 0x6e, 0x12,
	0x9f, 0x85, 0xc0, 0x3a, 0x9e, 0x20, 0xaf, 0x67, 0x9a, 0xc5, 0xf3, 0x35,
	0x83, 0x70, 0xfb, 0x40, 0xf6, 0x42, 0xc6, 0x7e, 0x87, 0x48, 0xe6, 0xe7,
	0x02, 0x03, 0x01, 0x00, 0x01
};
static const unsigned char rsa2048_der[] = {
	0x30, 0x82, 0x01, 0x22, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
	0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00, 0x03, 0x82, 0x01, 0x0f, 0x00,
	0x30, 0x82, 0x01, 0x0a, 0x02, 0x82, 0x01, 0x01, 0x00, 0xbb, 0xe5, 0xe2,
	0xac, 0xec, 0xd6, 0x9d, 0x9a, 0xaf, 0x70, 0x8d, 0x34, 0xc6, 0x91, 0x73,
	0xfa, 0x21, 0x3a, 0x57, 0x7f, 0x2e, 0x2d, 0x57, 0xfa, 0x1c, 0xfc, 0xac,
	0x05, 0x08, 0x7a, 0x09, 0xce, 0x40, 0xa4, 0xa6, 0x86, 0x7c, 0x08, 0xb8,
	0xef, 0x17, 0x8c, 0x19, 0xe5, 0xb4, 0x4f, 0x21, 0x7f, 0x1f, 0xf7, 0xa5,
	0x13, 0x61, 0x00, 0xc1, 0x7d, 0xa6, 0x25, 0x71, 0x2e, 0x39, 0xf1, 0x34,
	0x97, 0x67, 0x9a, 0x5e, 0xca, 0x55, 0xe3, 0xbb, 0xdf, 0x94, 0x42, 0x21,
	0x2b, 0xd8, 0xab, 0xc6, 0x3b, 0x55, 0xfd, 0x20, 0x0f, 0xff, 0xce, 0x6f,
	0x35, 0xfd, 0x1a, 0xdc, 0x05, 0x9a, 0xea, 0x91, 0x32, 0xca, 0x82, 0x5b,
	0x9f, 0x9d, 0xe0, 0x4e, 0xbf, 0xea, 0xd6, 0x9c, 0x57, 0x4a, 0xdd, 0x8d,
	0x9b, 0x9c, 0xe9, 0xb5, 0xbf, 0x96, 0xfa, 0x12, 0xd0, 0x81, 0x26, 0xae,
	0x07, 0x00, 0x78, 0x30, 0x45, 0xb5, 0xb8, 0x67, 0x38, 0x4e, 0xda, 0xb7,
	0xd2, 0x8e, 0xff, 0x1e, 0xf2, 0x7e, 0xb4, 0x4f, 0x9f, 0x37, 0x21, 0xc5,
	0xcc, 0x6b, 0x0a, 0x98, 0x74, 0xf5, 0xc0, 0x22, 0x24, 0x11, 0xca, 0x0d,
	0xbe, 0xe1, 0x49, 0x25, 0x3d, 0xb5, 0x1d, 0x2b, 0x43, 0x11, 0xa0, 0x81,
	0x54, 0x8e, 0x15, 0x09, 0x44, 0x92, 0x13, 0xc4, 0x72, 0x25, 0xa9, 0x44,
	0xff, 0x4a, 0xc5, 0x93, 0xd3, 0x00, 0xe8, 0x02, 0xd0, 0x8c, 0x30, 0xdc,
	0xa9, 0x19, 0xa7, 0x24, 0xae, 0x40, 0x12, 0xd6, 0xa0, 0x94, 0x34, 0x12,
	0xc4, 0xe2, 0x75, 0x53, 0x7c, 0x91, 0x86, 0x92, 0x3a, 0xb4, 0xfe, 0x2e,
	0x48, 0x70, 0x8f, 0x0f, 0x5c, 0xf0, 0xd1, 0xc6, 0x6b, 0xa1, 0x3c, 0x91,
	0x75, 0x11, 0x29, 0x2d, 0x40, 0xce, 0xf4, 0x9c, 0x09, 0x98, 0x04, 0x67,
	0x7b, 0x03, 0x7c, 0xb6, 0xe9, 0x36, 0x22, 0x43, 0x71, 0xf3, 0x23, 0xc3,
	0x4b, 0x02, 0x03, 0x01, 0x00, 0x01
};
static const unsigned char rsa4096_der[] = {
	0x30, 0x82, 0x02, 0x22, 0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
	0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00, 0x03, 0x82, 0x02, 0x0f, 0x00,
	0x30, 0x82, 0x02, 0x0a, 0x02, 0x82, 0x02, 0x01, 0x00, 0xd7, 0xba, 0x32,
	0x1e, 0x16, 0x07, 0x01, 0x0b, 0x7a, 0xfd, 0x26, 0x65, 0x6e, 0x25, 0x67,
	0xd2, 0xc4, 0x05, 0x7d, 0x59, 0x50, 0xb2, 0xad, 0x06, 0x0d, 0xa8, 0x10,
	0x9e, 0x3a, 0xc9, 0xef, 0x61, 0x14, 0x0d, 0xd6, 0x0c, 0x1b, 0x3a, 0x8c,
	0x89, 0xcc, 0xd2, 0x19, 0x08, 0xda, 0x87, 0xdc, 0x5d, 0x59, 0x6f, 0xbd,
	0xe0, 0x96, 0x72, 0x83, 0x5a, 0x68, 0x39, 0x49, 0xc6, 0x3d, 0xfe, 0xc5,
	0xe6, 0x89, 0xaa, 0x59, 0x2e, 0x81, 0x12, 0x08, 0xd2, 0x20, 0x0a, 0xa6,
	0x32, 0x91, 0x7b, 0x2a, 0x17, 0x54, 0x87, 0x8f, 0x6e, 0x98, 0xc6, 0xff,
	0x8b, 0x09, 0x36, 0x1d, 0xe7, 0x6a, 0xc9, 0xd0, 0xa8, 0xc5, 0x38, 0x4d,
	0x9c, 0x67, 0xa1, 0x3d, 0x80, 0xa9, 0x22, 0x02, 0x10, 0x91, 0x4f, 0xae,
	0x07, 0x3e, 0x6a, 0x4e, 0x47, 0x04, 0xda, 0x59, 0x49, 0xf4, 0x3b, 0x43,
	0x08, 0x69, 0x94, 0x69, 0x65, 0xc7, 0xaf, 0x9a, 0x2f, 0xcd, 0xf2, 0x4c,
	0x7b, 0x65, 0x86, 0xb6, 0xf0, 0x43, 0x3c, 0xb4, 0xf3, 0xb8, 0xe8, 0x0c,
	0x46, 0x04, 0x6d, 0x50, 0x9d, 0xf0, 0x58, 0x6c, 0x22, 0xb8, 0x46, 0x16,
	0x8a, 0x09, 0x0e, 0xdd, 0x40, 0x9c, 0x61, 0x18, 0x41, 0x37, 0x8c, 0x1e,
	0x98, 0x05, 0xe5, 0xae, 0xfa, 0x82, 0x45, 0x68, 0xe0, 0x63, 0x9c, 0x8c,
	0x36, 0x57, 0xa6, 0xa0, 0x7b, 0x84, 0xdc, 0xec, 0x41, 0x34, 0xd8, 0x4e,
	0x99, 0x25, 0xd1, 0x45, 0xed, 0x7d, 0xe2, 0xa6, 0x9f, 0xd9, 0x90, 0xf4,
	0xc0, 0x78, 0xcb, 0x0c, 0x80, 0xba, 0xf8, 0x90, 0xd9, 0x69, 0xe6, 0xba,
	0xd0, 0x31, 0xdf, 0x78, 0xce, 0xb3, 0x4f, 0xca, 0x76, 0x33, 0x23, 0x52,
	0x27, 0xab, 0xed, 0xc0, 0x87, 0x96, 0x86, 0xd3, 0xa9, 0xac, 0x33, 0x88,
	0x66, 0x27, 0xc9, 0xbb, 0x9f, 0xa7, 0xec, 0xb9, 0xf6, 0xd0, 0xce, 0x7f,
	0xc3, 0x19, 0x38, 0x40, 0x3a, 0x81, 0xc8, 0xe6, 0x73, 0x66, 0x27, 0x1f,
	0xad, 0x04, 0x85, 0x09, 0xc6, 0xe9, 0x9c, 0xb0, 0x6e, 0xe8, 0xdd, 0xdf,
	0x4b, 0x0a, 0x3c, 0xe8, 0x97, 0x50, 0x28, 0xc0, 0x6d, 0x73, 0x00, 0x39,
	0xa9, 0x8a, 0x38, 0xd5, 0x76, 0x13, 0xc5, 0xb1, 0x69, 0xae, 0x37, 0x33,
	0x01, 0x48, 0xe6, 0x9e, 0x7f, 0xa8, 0x72, 0x0c, 0x03, 0x15, 0x90, 0xdc,
	0xd8, 0x20, 0x55, 0xe4, 0x3a, 0x10, 0x45, 0x12, 0xd8, 0x24, 0x07, 0xba,
	0x23, 0xf0, 0x33, 0xa2, 0x3f, 0x10, 0x1b, 0x01, 0x8d, 0x08, 0x3c, 0x07,
	0xc3, 0x69, 0x9f, 0x52, 0xbd, 0xd1, 0x1c, 0xf4, 0x4b, 0x4b, 0x14, 0xb0,
	0x6d, 0x4e, 0xc6, 0xf8, 0xdd, 0xbd, 0x0b, 0x2f, 0xf7, 0x2c, 0xbf, 0x01,
	0x33, 0x5b, 0x64, 0xc4, 0x6a, 0x02, 0x79, 0xf6, 0x57, 0xdc, 0xc1, 0x7d,
	0x0c, 0x3a, 0x29, 0x3d, 0x5b, 0x6f, 0xf5, 0x22, 0xdc, 0x5b, 0x17, 0x4f,
	0xd8, 0xd1, 0xa3, 0x3c, 0x13, 0x90, 0x74, 0x82, 0x94, 0x3b, 0x3f, 0x62,
	0xd7, 0x27, 0x6c, 0xa5, 0xc0, 0x4b, 0x66, 0x13, 0x73, 0xe7, 0xa5, 0x13,
	0xc8, 0x41, 0xb1, 0x44, 0x04, 0x63, 0x84, 0x94, 0x05, 0x36, 0x0a, 0x99,
	0x64, 0xf0, 0x41, 0x89, 0x93, 0xbc, 0xa4, 0xeb, 0x8c, 0xfe, 0x3c, 0xa4,
	0x1a, 0x8e, 0xad, 0xde, 0x67, 0x85, 0x4f, 0xa7, 0x99, 0xa1, 0x30, 0xbe,
	0xd0, 0xdf, 0x79, 0x13, 0x01, 0x3b, 0xf9, 0x6f, 0xa2, 0xb0, 0x3b, 0xf5,
	0xaf, 0xfa, 0xdd, 0xf1, 0xe9, 0xac, 0xa4, 0x3b, 0xdf, 0x1e, 0x53, 0x2a,
	0x9c, 0x07, 0xce, 0x11, 0x7a, 0x2e, 0x94, 0x48, 0xbb, 0xca, 0xdf, 0xdc,
	0xa0, 0xfc, 0x57, 0xb3, 0x34, 0xcc, 0x55, 0xc3, 0x3a, 0xb4, 0xfe, 0x92,
	0xb0, 0x6e, 0x4b, 0x6a, 0xba, 0x4f, 0xcc, 0xa1, 0xa9, 0x0e, 0x1e, 0x23,
	0xf8, 0xde, 0xd1, 0x81, 0x95, 0x02, 0x03, 0x01, 0x00, 0x01
};

/* Where the key material starts in the keys above (openssl asn1parse). */
#define P256_POINT_OFF	26	/* 0x04 || X || Y */
#define ED_KEY_OFF	12
#define RSA_N_OFF	32	/* contents of the modulus INTEGER */
#define RSA2048_E_OFF	289	/* tag of the exponent INTEGER */
#define RSA4096_E_OFF	545
#define P256_POINT_LEN	65

#define PUT(d, a)	put((d), (a), sizeof(a))

static const int algs[] = { ZA_COSE_ES256, ZA_COSE_EDDSA, ZA_COSE_RS256 };

/* ---------------------------------------------------------- DER writer */
#define BLOB_MAX	4096

struct blob {
	unsigned char b[BLOB_MAX];
	size_t len;
};

/* How put_tlv() writes a length. */
enum lenform {
	LEN_DER,	/* in the fewest bytes */
	LEN_LONG,	/* long form, one byte more than needed */
	LEN_LONG2,	/* long form, two bytes more than needed */
	LEN_INDEF,	/* 0x80, contents, end-of-contents 00 00 (BER) */
};

static void
put(struct blob *d, const void *p, size_t n)
{
	assert_true(n <= BLOB_MAX - d->len);
	if (n > 0)
		memcpy(d->b + d->len, p, n);
	d->len += n;
}

static void
put_byte(struct blob *d, unsigned int c)
{
	unsigned char b = (unsigned char)c;

	put(d, &b, 1);
}

static void
put_tlv(struct blob *d, unsigned int tag, const void *v, size_t n,
    enum lenform f)
{
	size_t nbytes, i;

	put_byte(d, tag);
	if (f == LEN_INDEF) {
		put_byte(d, 0x80);
		put(d, v, n);
		put_byte(d, 0x00);
		put_byte(d, 0x00);
	} else {
		nbytes = n < 0x80 ? 0 : n < 0x100 ? 1 : 2;
		if (f == LEN_LONG)
			nbytes++;
		else if (f == LEN_LONG2)
			nbytes += 2;
		if (nbytes == 0)
			put_byte(d, (unsigned int)n);
		else
			put_byte(d, 0x80 | (unsigned int)nbytes);
		for (i = nbytes; i > 0; i--)
			put_byte(d, (unsigned int)(n >> (8 * (i - 1))) & 0xff);
		put(d, v, n);
	}
}

/* DER object identifiers and NULL, written out from their dotted forms */
static const unsigned char oid_ecpub[] = {	/* 1.2.840.10045.2.1 */
	0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01
};
static const unsigned char oid_p256[] = {	/* 1.2.840.10045.3.1.7 */
	0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07
};
static const unsigned char oid_p384[] = {	/* 1.3.132.0.34 */
	0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22
};
static const unsigned char oid_ed25519[] = {	/* 1.3.101.112 */
	0x06, 0x03, 0x2b, 0x65, 0x70
};
static const unsigned char oid_x25519[] = {	/* 1.3.101.110 */
	0x06, 0x03, 0x2b, 0x65, 0x6e
};
static const unsigned char oid_ed448[] = {	/* 1.3.101.113 */
	0x06, 0x03, 0x2b, 0x65, 0x71
};
static const unsigned char oid_rsa[] = {	/* 1.2.840.113549.1.1.1 */
	0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01
};
static const unsigned char oid_rsapss[] = {	/* 1.2.840.113549.1.1.10 */
	0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a
};
static const unsigned char oid_rsasha256[] = {	/* 1.2.840.113549.1.1.11 */
	0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b
};
static const unsigned char der_null[] = { 0x05, 0x00 };

/* A SubjectPublicKeyInfo to write; fields left zero give plain DER. */
struct spki_spec {
	struct blob alg;	/* AlgorithmIdentifier contents */
	struct blob key;	/* BIT STRING contents after the unused byte */
	unsigned int unused;	/* the unused-bits byte */
	enum lenform outer_len, alg_len, bits_len;
	unsigned int outer_tag, alg_tag, bits_tag; /* 0: 0x30, 0x30, 0x03 */
};

static void
make_spki(struct blob *out, const struct spki_spec *s)
{
	struct blob inner = { .len = 0 }, bits = { .len = 0 };

	put_byte(&bits, s->unused);
	put(&bits, s->key.b, s->key.len);
	put_tlv(&inner, s->alg_tag != 0 ? s->alg_tag : 0x30, s->alg.b,
	    s->alg.len, s->alg_len);
	put_tlv(&inner, s->bits_tag != 0 ? s->bits_tag : 0x03, bits.b,
	    bits.len, s->bits_len);
	out->len = 0;
	put_tlv(out, s->outer_tag != 0 ? s->outer_tag : 0x30, inner.b,
	    inner.len, s->outer_len);
}

static void
spec_es256(struct spki_spec *s, const unsigned char *point, size_t n)
{
	memset(s, 0, sizeof(*s));
	PUT(&s->alg, oid_ecpub);
	PUT(&s->alg, oid_p256);
	put(&s->key, point, n);
}

static void
spec_eddsa(struct spki_spec *s, const unsigned char *key, size_t n)
{
	memset(s, 0, sizeof(*s));
	PUT(&s->alg, oid_ed25519);
	put(&s->key, key, n);
}

static void
spec_rs256(struct spki_spec *s, const struct blob *rsakey)
{
	memset(s, 0, sizeof(*s));
	PUT(&s->alg, oid_rsa);
	PUT(&s->alg, der_null);
	put(&s->key, rsakey->b, rsakey->len);
}

/* RSAPublicKey ::= SEQUENCE { n INTEGER, e INTEGER }, given contents */
static void
make_rsakey(struct blob *out, const struct blob *n, const struct blob *e,
    enum lenform seq_len, enum lenform n_len, enum lenform e_len)
{
	struct blob ints = { .len = 0 };

	put_tlv(&ints, 0x02, n->b, n->len, n_len);
	put_tlv(&ints, 0x02, e->b, e->len, e_len);
	out->len = 0;
	put_tlv(out, 0x30, ints.b, ints.len, seq_len);
}

/* Write s and run the check on it. */
static int
check_spec(const struct spki_spec *s, int alg)
{
	struct blob der = { .len = 0 };

	make_spki(&der, s);
	return za_spki_check(der.b, der.len, alg);
}

/* ---------------------------------------------------------------- OpenSSL */
/* The contents of a DER INTEGER holding bn >= 0 */
static void
int_contents(struct blob *d, const BIGNUM *bn)
{
	unsigned char buf[BLOB_MAX];
	int n = BN_num_bytes(bn);

	assert_true(n > 0 && n < (int)sizeof(buf));
	assert_int_equal(BN_bn2bin(bn, buf), n);
	d->len = 0;
	if ((buf[0] & 0x80) != 0)
		put_byte(d, 0x00);
	put(d, buf, (size_t)n);
}

/* The parts of a key, as OpenSSL reads them out of der. */
struct parts {
	struct blob pub;	/* EC point or Ed25519 key */
	struct blob n, e;	/* RSA: INTEGER contents */
	int bits;
};

static void
get_parts(const unsigned char *der, size_t len, struct parts *pt)
{
	const unsigned char *p = der;
	EVP_PKEY *pk;
	BIGNUM *n = NULL, *e = NULL;

	memset(pt, 0, sizeof(*pt));
	assert_non_null(pk = d2i_PUBKEY(NULL, &p, (long)len));
	assert_ptr_equal(p, der + len);
	pt->bits = EVP_PKEY_get_bits(pk);
	if (EVP_PKEY_is_a(pk, "RSA")) {
		assert_int_equal(EVP_PKEY_get_bn_param(pk,
		    OSSL_PKEY_PARAM_RSA_N, &n), 1);
		assert_int_equal(EVP_PKEY_get_bn_param(pk,
		    OSSL_PKEY_PARAM_RSA_E, &e), 1);
		int_contents(&pt->n, n);
		int_contents(&pt->e, e);
	} else
		assert_int_equal(EVP_PKEY_get_octet_string_param(pk,
		    OSSL_PKEY_PARAM_PUB_KEY, pt->pub.b, sizeof(pt->pub.b),
		    &pt->pub.len), 1);
	BN_free(n);
	BN_free(e);
	EVP_PKEY_free(pk);
}

/* Does OpenSSL take der as a key for alg (spki_oracle.h)? */
static int
openssl_accepts(const unsigned char *der, size_t len, int alg)
{
	return alg != 0 && spki_oracle_alg(der, len) == alg;
}

/* ---------------------------------------------------------------- tests */
struct vector {
	const char *name;
	const unsigned char *der;
	size_t len;
	int alg;
	size_t key_off;		/* first byte of the key material */
	size_t e_off;		/* RSA: tag of the exponent INTEGER */
};

static const struct vector valid[] = {
	{ "P-256", p256_der, sizeof(p256_der), ZA_COSE_ES256,
	    P256_POINT_OFF, 0 },
	{ "Ed25519", ed_der, sizeof(ed_der), ZA_COSE_EDDSA, ED_KEY_OFF, 0 },
	{ "RSA-2048", rsa2048_der, sizeof(rsa2048_der), ZA_COSE_RS256,
	    RSA_N_OFF, RSA2048_E_OFF },
	{ "RSA-4096", rsa4096_der, sizeof(rsa4096_der), ZA_COSE_RS256,
	    RSA_N_OFF, RSA4096_E_OFF },
};
#define NVALID	(sizeof(valid) / sizeof(valid[0]))
#define NALGS	(sizeof(algs) / sizeof(algs[0]))

/* Each key is accepted for its own algorithm and no other. */
static void
test_valid_keys(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < NVALID; i++) {
		assert_int_equal(openssl_accepts(valid[i].der, valid[i].len,
		    valid[i].alg), 1);
		for (j = 0; j < NALGS; j++)
			assert_int_equal(za_spki_check(valid[i].der,
			    valid[i].len, algs[j]), algs[j] == valid[i].alg);
	}
}

/* The writer rebuilds each openssl(1) key from the parts OpenSSL sees. */
static void
test_writer_rebuilds_keys(void **state)
{
	struct spki_spec s;
	struct parts pt;
	struct blob der, rk;
	const struct {
		const unsigned char *der;
		size_t len;
		int alg, bits;
	} k[] = {
		{ p256_der, sizeof(p256_der), ZA_COSE_ES256, 256 },
		{ ed_der, sizeof(ed_der), ZA_COSE_EDDSA, 256 },
		{ rsa1024_der, sizeof(rsa1024_der), ZA_COSE_RS256, 1024 },
		{ rsa2047_der, sizeof(rsa2047_der), ZA_COSE_RS256, 2047 },
		{ rsa2048_der, sizeof(rsa2048_der), ZA_COSE_RS256, 2048 },
		{ rsa4096_der, sizeof(rsa4096_der), ZA_COSE_RS256, 4096 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
		get_parts(k[i].der, k[i].len, &pt);
		assert_int_equal(pt.bits, k[i].bits);
		if (k[i].alg == ZA_COSE_ES256)
			spec_es256(&s, pt.pub.b, pt.pub.len);
		else if (k[i].alg == ZA_COSE_EDDSA)
			spec_eddsa(&s, pt.pub.b, pt.pub.len);
		else {
			make_rsakey(&rk, &pt.n, &pt.e, LEN_DER, LEN_DER,
			    LEN_DER);
			spec_rs256(&s, &rk);
		}
		make_spki(&der, &s);
		assert_int_equal(der.len, k[i].len);
		assert_memory_equal(der.b, k[i].der, k[i].len);
	}
}

static void
test_bad_arguments(void **state)
{
	static const int unknown[] = { 0, 1, -1, -6, -9, -35, -36, -37, -47,
	    -256, -258, -65535, -2147483647 - 1, 2147483647, 7, 8, 257 };
	static const unsigned char cut1[] = { 0x30, 0x81 };
	static const unsigned char cut2[] = { 0x30, 0x82, 0x01 };
	unsigned char big[ZA_PUBKEY_MAX + 1];
	size_t i, j;

	(void)state;
	for (j = 0; j < NALGS; j++) {
		/* cut inside a long-form length */
		assert_int_equal(za_spki_check(cut1, sizeof(cut1), algs[j]),
		    0);
		assert_int_equal(za_spki_check(cut2, sizeof(cut2), algs[j]),
		    0);
		assert_int_equal(za_spki_check(NULL, 0, algs[j]), 0);
		assert_int_equal(za_spki_check(NULL, sizeof(p256_der),
		    algs[j]), 0);
		for (i = 0; i < NVALID; i++)
			assert_int_equal(za_spki_check(valid[i].der, 0,
			    algs[j]), 0);
	}
	/*
	 * Past ZA_PUBKEY_MAX: a key within the contract is never that long
	 * (RSA-8192 takes about 1.1 kB), so this only shows the bound holds.
	 */
	memset(big, 0, sizeof(big));
	memcpy(big, rsa4096_der, sizeof(rsa4096_der));
	assert_int_equal(za_spki_check(big, sizeof(big), ZA_COSE_RS256), 0);
	for (i = 0; i < NVALID; i++)
		for (j = 0; j < sizeof(unknown) / sizeof(unknown[0]); j++)
			assert_int_equal(za_spki_check(valid[i].der,
			    valid[i].len, unknown[j]), 0);
}

/* Every proper prefix, and a byte after the end, is refused. */
static void
test_truncation_and_trailing(void **state)
{
	static const unsigned char extra[] = { 0x00, 0x05, 0x30, 0xff };
	unsigned char buf[BLOB_MAX];
	size_t i, j, n;

	(void)state;
	for (i = 0; i < NVALID; i++) {
		for (n = 0; n < valid[i].len; n++)
			for (j = 0; j < NALGS; j++)
				assert_int_equal(za_spki_check(valid[i].der, n,
				    algs[j]), 0);
		memcpy(buf, valid[i].der, valid[i].len);
		for (j = 0; j < sizeof(extra); j++) {
			buf[valid[i].len] = extra[j];
			assert_int_equal(za_spki_check(buf, valid[i].len + 1,
			    valid[i].alg), 0);
		}
	}
}

/*
 * Note in pos[] the offset of the last length byte of every TLV in
 * der[off..end), going into SEQUENCEs and into a BIT STRING holding one.
 */
static void
length_bytes(const unsigned char *der, size_t off, size_t end, size_t *pos,
    size_t *npos)
{
	size_t l, hdr, k, i;

	while (off < end) {
		l = der[off + 1];
		hdr = 2;
		if ((l & 0x80) != 0) {
			k = l & 0x7f;
			for (l = 0, i = 0; i < k; i++)
				l = l << 8 | der[off + 2 + i];
			hdr += k;
		}
		pos[(*npos)++] = off + hdr - 1;
		if (der[off] == 0x30)
			length_bytes(der, off + hdr, off + hdr + l, pos, npos);
		else if (der[off] == 0x03 && l > 1 &&
		    der[off + hdr + 1] == 0x30)
			length_bytes(der, off + hdr + 1, off + hdr + l, pos,
			    npos);
		off += hdr + l;
	}
}

/* Each length one more or one less than the truth is refused. */
static void
test_length_off_by_one(void **state)
{
	/* TLVs per key: P-256 5, Ed25519 4, RSA 8 (with the RSAPublicKey) */
	static const size_t want[NVALID] = { 5, 4, 8, 8 };
	unsigned char buf[BLOB_MAX];
	size_t pos[16], npos, i, j;

	(void)state;
	for (i = 0; i < NVALID; i++) {
		npos = 0;
		length_bytes(valid[i].der, 0, valid[i].len, pos, &npos);
		assert_int_equal(npos, want[i]);
		for (j = 0; j < npos; j++) {
			memcpy(buf, valid[i].der, valid[i].len);
			buf[pos[j]]++;
			assert_int_equal(za_spki_check(buf, valid[i].len,
			    valid[i].alg), 0);
			buf[pos[j]] = (unsigned char)(valid[i].der[pos[j]] - 1);
			assert_int_equal(za_spki_check(buf, valid[i].len,
			    valid[i].alg), 0);
		}
	}
}

/* Fill s with the valid key i of valid[] (its parts read by OpenSSL). */
static void
spec_valid(struct spki_spec *s, size_t i, struct parts *pt)
{
	struct blob rk;

	get_parts(valid[i].der, valid[i].len, pt);
	if (valid[i].alg == ZA_COSE_ES256)
		spec_es256(s, pt->pub.b, pt->pub.len);
	else if (valid[i].alg == ZA_COSE_EDDSA)
		spec_eddsa(s, pt->pub.b, pt->pub.len);
	else {
		make_rsakey(&rk, &pt->n, &pt->e, LEN_DER, LEN_DER, LEN_DER);
		spec_rs256(s, &rk);
	}
}

/* Long-form lengths that could be shorter, and indefinite lengths. */
static void
test_length_forms(void **state)
{
	static const enum lenform bad[] = { LEN_LONG, LEN_LONG2, LEN_INDEF };
	struct spki_spec s;
	struct parts pt;
	struct blob rk;
	size_t i, j, k;

	(void)state;
	for (i = 0; i < NVALID; i++) {
		spec_valid(&s, i, &pt);
		assert_int_equal(check_spec(&s, valid[i].alg), 1);
		for (j = 0; j < sizeof(bad) / sizeof(bad[0]); j++) {
			s.outer_len = bad[j];
			assert_int_equal(check_spec(&s, valid[i].alg), 0);
			s.outer_len = LEN_DER;
			s.alg_len = bad[j];
			assert_int_equal(check_spec(&s, valid[i].alg), 0);
			s.alg_len = LEN_DER;
			s.bits_len = bad[j];
			assert_int_equal(check_spec(&s, valid[i].alg), 0);
			s.bits_len = LEN_DER;
		}
		if (valid[i].alg != ZA_COSE_RS256)
			continue;
		for (j = 0; j < sizeof(bad) / sizeof(bad[0]); j++)
			for (k = 0; k < 3; k++) {
				make_rsakey(&rk, &pt.n, &pt.e,
				    k == 0 ? bad[j] : LEN_DER,
				    k == 1 ? bad[j] : LEN_DER,
				    k == 2 ? bad[j] : LEN_DER);
				spec_rs256(&s, &rk);
				assert_int_equal(check_spec(&s, ZA_COSE_RS256),
				    0);
			}
	}
}

/* Other, extra, missing or reordered algorithm identifier contents. */
static void
test_algorithm_identifiers(void **state)
{
	struct spki_spec s;
	struct parts pt;
	size_t i;

	(void)state;
	/* ES256: curve P-384, no curve, curve first, extra OID or NULL */
	spec_valid(&s, 0, &pt);
	s.alg.len = 0;
	PUT(&s.alg, oid_ecpub);
	PUT(&s.alg, oid_p384);
	assert_int_equal(check_spec(&s, ZA_COSE_ES256), 0);
	s.alg.len = 0;
	PUT(&s.alg, oid_ecpub);
	assert_int_equal(check_spec(&s, ZA_COSE_ES256), 0);
	s.alg.len = 0;
	PUT(&s.alg, oid_p256);
	PUT(&s.alg, oid_ecpub);
	assert_int_equal(check_spec(&s, ZA_COSE_ES256), 0);
	s.alg.len = 0;
	PUT(&s.alg, oid_ecpub);
	PUT(&s.alg, oid_p256);
	PUT(&s.alg, oid_p256);
	assert_int_equal(check_spec(&s, ZA_COSE_ES256), 0);
	s.alg.len = 0;
	PUT(&s.alg, oid_ecpub);
	PUT(&s.alg, oid_p256);
	PUT(&s.alg, der_null);
	assert_int_equal(check_spec(&s, ZA_COSE_ES256), 0);
	s.alg.len = 0;
	PUT(&s.alg, oid_ecpub);
	PUT(&s.alg, der_null);
	assert_int_equal(check_spec(&s, ZA_COSE_ES256), 0);
	s.alg.len = 0;
	PUT(&s.alg, oid_rsa);
	PUT(&s.alg, der_null);
	assert_int_equal(check_spec(&s, ZA_COSE_ES256), 0);

	/* EdDSA: X25519, Ed448, parameters present, OID twice */
	spec_valid(&s, 1, &pt);
	s.alg.len = 0;
	PUT(&s.alg, oid_x25519);
	assert_int_equal(check_spec(&s, ZA_COSE_EDDSA), 0);
	s.alg.len = 0;
	PUT(&s.alg, oid_ed448);
	assert_int_equal(check_spec(&s, ZA_COSE_EDDSA), 0);
	s.alg.len = 0;
	PUT(&s.alg, oid_ed25519);
	PUT(&s.alg, der_null);
	assert_int_equal(check_spec(&s, ZA_COSE_EDDSA), 0);
	s.alg.len = 0;
	PUT(&s.alg, oid_ed25519);
	PUT(&s.alg, oid_ed25519);
	assert_int_equal(check_spec(&s, ZA_COSE_EDDSA), 0);
	s.alg.len = 0;
	assert_int_equal(check_spec(&s, ZA_COSE_EDDSA), 0);

	/* RS256: NULL missing, PSS or sha256WithRSA OID, NULL twice, NULL
	 * with contents, NULL first */
	for (i = 2; i < NVALID; i++) {
		spec_valid(&s, i, &pt);
		s.alg.len = 0;
		PUT(&s.alg, oid_rsa);
		assert_int_equal(check_spec(&s, ZA_COSE_RS256), 0);
		s.alg.len = 0;
		PUT(&s.alg, oid_rsapss);
		PUT(&s.alg, der_null);
		assert_int_equal(check_spec(&s, ZA_COSE_RS256), 0);
		s.alg.len = 0;
		PUT(&s.alg, oid_rsasha256);
		PUT(&s.alg, der_null);
		assert_int_equal(check_spec(&s, ZA_COSE_RS256), 0);
		s.alg.len = 0;
		PUT(&s.alg, oid_rsa);
		PUT(&s.alg, der_null);
		PUT(&s.alg, der_null);
		assert_int_equal(check_spec(&s, ZA_COSE_RS256), 0);
		s.alg.len = 0;
		PUT(&s.alg, oid_rsa);
		put_tlv(&s.alg, 0x05, "", 1, LEN_DER);
		assert_int_equal(check_spec(&s, ZA_COSE_RS256), 0);
		s.alg.len = 0;
		PUT(&s.alg, der_null);
		PUT(&s.alg, oid_rsa);
		assert_int_equal(check_spec(&s, ZA_COSE_RS256), 0);
		/* and the control: the right identifier passes */
		s.alg.len = 0;
		PUT(&s.alg, oid_rsa);
		PUT(&s.alg, der_null);
		assert_int_equal(check_spec(&s, ZA_COSE_RS256), 1);
	}
}

/* Unused bits, wrong tags, an empty or missing BIT STRING, extra TLVs. */
static void
test_structure(void **state)
{
	struct spki_spec s;
	struct parts pt;
	struct blob der, inner, algid, bits;
	unsigned int u;
	size_t i;

	(void)state;
	for (i = 0; i < NVALID; i++) {
		spec_valid(&s, i, &pt);
		for (u = 1; u <= 7; u++) {
			s.unused = u;
			assert_int_equal(check_spec(&s, valid[i].alg), 0);
		}
		s.unused = 0;
		s.outer_tag = 0x31;
		assert_int_equal(check_spec(&s, valid[i].alg), 0);
		s.outer_tag = 0;
		s.alg_tag = 0x31;
		assert_int_equal(check_spec(&s, valid[i].alg), 0);
		s.alg_tag = 0;
		s.bits_tag = 0x04;
		assert_int_equal(check_spec(&s, valid[i].alg), 0);
		s.bits_tag = 0x23;	/* constructed BIT STRING (BER) */
		assert_int_equal(check_spec(&s, valid[i].alg), 0);
		s.bits_tag = 0;
		assert_int_equal(check_spec(&s, valid[i].alg), 1);
		/* an empty key, then no unused-bits byte at all */
		s.key.len = 0;
		assert_int_equal(check_spec(&s, valid[i].alg), 0);
		algid.len = 0;
		put_tlv(&algid, 0x30, s.alg.b, s.alg.len, LEN_DER);
		inner.len = 0;
		put(&inner, algid.b, algid.len);
		put_tlv(&inner, 0x03, "", 0, LEN_DER);
		der.len = 0;
		put_tlv(&der, 0x30, inner.b, inner.len, LEN_DER);
		assert_int_equal(za_spki_check(der.b, der.len, valid[i].alg),
		    0);
		/* the identifier and key as TLVs, to be put together below */
		spec_valid(&s, i, &pt);
		algid.len = 0;
		put_tlv(&algid, 0x30, s.alg.b, s.alg.len, LEN_DER);
		inner.len = 0;
		put_byte(&inner, 0x00);
		put(&inner, s.key.b, s.key.len);
		bits.len = 0;
		put_tlv(&bits, 0x03, inner.b, inner.len, LEN_DER);
		/* control: both in order is the valid key */
		inner.len = 0;
		put(&inner, algid.b, algid.len);
		put(&inner, bits.b, bits.len);
		der.len = 0;
		put_tlv(&der, 0x30, inner.b, inner.len, LEN_DER);
		assert_int_equal(der.len, valid[i].len);
		assert_int_equal(za_spki_check(der.b, der.len, valid[i].alg),
		    1);
		/* a NULL after the BIT STRING, inside the outer SEQUENCE */
		PUT(&inner, der_null);
		der.len = 0;
		put_tlv(&der, 0x30, inner.b, inner.len, LEN_DER);
		assert_int_equal(za_spki_check(der.b, der.len, valid[i].alg),
		    0);
		/* BIT STRING first */
		inner.len = 0;
		put(&inner, bits.b, bits.len);
		put(&inner, algid.b, algid.len);
		der.len = 0;
		put_tlv(&der, 0x30, inner.b, inner.len, LEN_DER);
		assert_int_equal(za_spki_check(der.b, der.len, valid[i].alg),
		    0);
		/* no BIT STRING */
		der.len = 0;
		put_tlv(&der, 0x30, algid.b, algid.len, LEN_DER);
		assert_int_equal(za_spki_check(der.b, der.len, valid[i].alg),
		    0);
	}
}

/* The identifier of one algorithm around the key of another. */
static void
test_crossed_parts(void **state)
{
	struct spki_spec a, b;
	struct parts pa, pb;
	size_t i, j, k;

	(void)state;
	for (i = 0; i < NVALID; i++)
		for (j = 0; j < NVALID; j++) {
			if (valid[i].alg == valid[j].alg)
				continue;
			spec_valid(&a, i, &pa);
			spec_valid(&b, j, &pb);
			memcpy(&a.key, &b.key, sizeof(a.key));
			for (k = 0; k < NALGS; k++)
				assert_int_equal(check_spec(&a, algs[k]), 0);
		}
}

/* Fill buf with the 32-byte big-endian bn. */
static void
coord(unsigned char *buf, const BIGNUM *bn)
{
	assert_int_equal(BN_bn2binpad(bn, buf, 32), 32);
}

static void
test_ec_points(void **state)
{
	static const unsigned char prefixes[] = { 0x00, 0x02, 0x03, 0x05,
	    0x06, 0x07, 0x44, 0x84 };
	const unsigned char *pt = p256_der + P256_POINT_OFF;
	unsigned char buf[P256_POINT_LEN + 1], xbuf[32];
	EC_GROUP *g;
	BIGNUM *p, *v;
	struct spki_spec s;
	struct blob der;
	const unsigned char *q;
	EVP_PKEY *pk;
	size_t i, c;
	int want;

	(void)state;
	assert_int_equal(pt[0], 0x04);
	spec_es256(&s, pt, P256_POINT_LEN);
	assert_int_equal(check_spec(&s, ZA_COSE_ES256), 1);

	/* other point forms and lengths */
	for (i = 0; i < sizeof(prefixes); i++) {
		memcpy(buf, pt, P256_POINT_LEN);
		buf[0] = prefixes[i];
		spec_es256(&s, buf, P256_POINT_LEN);
		assert_int_equal(check_spec(&s, ZA_COSE_ES256), 0);
	}
	spec_es256(&s, pt + 1, 2 * 32);
	assert_int_equal(check_spec(&s, ZA_COSE_ES256), 0);
	memcpy(buf, pt, P256_POINT_LEN);
	buf[P256_POINT_LEN] = 0x00;
	spec_es256(&s, buf, P256_POINT_LEN + 1);
	assert_int_equal(check_spec(&s, ZA_COSE_ES256), 0);
	spec_es256(&s, pt, P256_POINT_LEN - 1);
	assert_int_equal(check_spec(&s, ZA_COSE_ES256), 0);
	spec_es256(&s, pt, 1);
	assert_int_equal(check_spec(&s, ZA_COSE_ES256), 0);

	/* compressed: OpenSSL reads it, the check refuses it */
	buf[0] = (unsigned char)(0x02 | (pt[P256_POINT_LEN - 1] & 0x01));
	memcpy(buf + 1, pt + 1, 32);
	spec_es256(&s, buf, 33);
	make_spki(&der, &s);
	q = der.b;
	assert_non_null(pk = d2i_PUBKEY(NULL, &q, (long)der.len));
	EVP_PKEY_free(pk);
	assert_int_equal(za_spki_check(der.b, der.len, ZA_COSE_ES256), 0);
	buf[0] ^= 0x01;
	spec_es256(&s, buf, 33);
	assert_int_equal(check_spec(&s, ZA_COSE_ES256), 0);

	/* coordinates at and around the field prime p, from OpenSSL */
	assert_non_null(g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1));
	assert_non_null(p = BN_new());
	assert_non_null(v = BN_new());
	assert_int_equal(EC_GROUP_get_curve(g, p, NULL, NULL, NULL), 1);
	for (i = 0; i < 5; i++) {
		/* p - 1, p, p + 1, 2^256 - 1, 0 */
		switch (i) {
		case 0:
			assert_non_null(BN_copy(v, p));
			assert_int_equal(BN_sub_word(v, 1), 1);
			break;
		case 1:
			assert_non_null(BN_copy(v, p));
			break;
		case 2:
			assert_non_null(BN_copy(v, p));
			assert_int_equal(BN_add_word(v, 1), 1);
			break;
		case 3:
			assert_int_equal(BN_set_word(v, 1), 1);
			assert_int_equal(BN_lshift(v, v, 256), 1);
			assert_int_equal(BN_sub_word(v, 1), 1);
			break;
		default:
			BN_zero(v);
			break;
		}
		want = i == 0 || i == 4;
		coord(xbuf, v);
		for (c = 0; c < 2; c++) {
			memcpy(buf, pt, P256_POINT_LEN);
			memcpy(buf + 1 + 32 * c, xbuf, 32);
			spec_es256(&s, buf, P256_POINT_LEN);
			make_spki(&der, &s);
			assert_int_equal(za_spki_check(der.b, der.len,
			    ZA_COSE_ES256), want);
			/* off the curve: the check is structural only */
			assert_int_equal(openssl_accepts(der.b, der.len,
			    ZA_COSE_ES256), 0);
			assert_int_equal(spki_oracle_verdict(der.b, der.len,
			    ZA_COSE_ES256), want);
		}
	}
	BN_free(v);
	BN_free(p);
	EC_GROUP_free(g);
}

static void
test_ed25519_keys(void **state)
{
	static const size_t bad[] = { 0, 1, 31, 33, 57, 64 };
	unsigned char key[64];
	struct spki_spec s;
	struct blob der;
	size_t i;

	(void)state;
	memset(key, 0xa5, sizeof(key));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		spec_eddsa(&s, key, bad[i]);
		assert_int_equal(check_spec(&s, ZA_COSE_EDDSA), 0);
	}
	/* any 32 bytes: OpenSSL does not test an Ed25519 point either */
	memset(key, 0x00, 32);
	spec_eddsa(&s, key, 32);
	make_spki(&der, &s);
	assert_int_equal(za_spki_check(der.b, der.len, ZA_COSE_EDDSA), 1);
	assert_int_equal(openssl_accepts(der.b, der.len, ZA_COSE_EDDSA), 1);
	memset(key, 0xff, 32);
	spec_eddsa(&s, key, 32);
	make_spki(&der, &s);
	assert_int_equal(za_spki_check(der.b, der.len, ZA_COSE_EDDSA), 1);
	assert_int_equal(openssl_accepts(der.b, der.len, ZA_COSE_EDDSA), 1);
}

/* Write the RS256 key {n, e}; its check result, and OpenSSL's bits. */
static int
rsa_check(const struct blob *n, const struct blob *e, int *bits)
{
	struct spki_spec s;
	struct blob der, rk;
	const unsigned char *q;
	EVP_PKEY *pk;
	int r;

	make_rsakey(&rk, n, e, LEN_DER, LEN_DER, LEN_DER);
	spec_rs256(&s, &rk);
	make_spki(&der, &s);
	r = za_spki_check(der.b, der.len, ZA_COSE_RS256);
	/* the check and OpenSSL agree on each of these */
	assert_int_equal(spki_oracle_verdict(der.b, der.len, ZA_COSE_RS256), r);
	if (bits != NULL) {
		q = der.b;
		assert_non_null(pk = d2i_PUBKEY(NULL, &q, (long)der.len));
		*bits = EVP_PKEY_get_bits(pk);
		EVP_PKEY_free(pk);
	}
	return r;
}

static void
test_rsa_modulus(void **state)
{
	struct parts p2, p4;
	struct blob n;
	int bits;

	(void)state;
	assert_int_equal(za_spki_check(rsa1024_der, sizeof(rsa1024_der),
	    ZA_COSE_RS256), 0);
	assert_int_equal(za_spki_check(rsa2047_der, sizeof(rsa2047_der),
	    ZA_COSE_RS256), 0);
	get_parts(rsa2048_der, sizeof(rsa2048_der), &p2);
	get_parts(rsa4096_der, sizeof(rsa4096_der), &p4);
	/* both are 00 || magnitude with its top bit set */
	assert_int_equal(p2.n.len, 257);
	assert_int_equal(p4.n.len, 513);
	assert_true(p2.n.b[0] == 0x00 && (p2.n.b[1] & 0x80) != 0);
	assert_true(p4.n.b[0] == 0x00 && (p4.n.b[1] & 0x80) != 0);

	assert_int_equal(rsa_check(&p2.n, &p2.e, &bits), 1);
	assert_int_equal(bits, 2048);
	/* 2047 bits: the magnitude's top bit cleared, no sign byte */
	n.len = 0;
	put_byte(&n, 0x40 | (p2.n.b[1] & 0x3f));
	put(&n, p2.n.b + 2, 255);
	assert_int_equal(rsa_check(&n, &p2.e, &bits), 0);
	assert_int_equal(bits, 2047);
	/* 8192 bits: two 4096-bit magnitudes */
	n.len = 0;
	put_byte(&n, 0x00);
	put(&n, p4.n.b + 1, 512);
	put(&n, p4.n.b + 1, 512);
	assert_int_equal(rsa_check(&n, &p2.e, &bits), 1);
	assert_int_equal(bits, 8192);
	/* 8193 bits */
	n.b[0] = 0x01;
	assert_int_equal(rsa_check(&n, &p2.e, &bits), 0);
	assert_int_equal(bits, 8193);
	/* negative: the sign byte dropped */
	n.len = 0;
	put(&n, p2.n.b + 1, 256);
	assert_int_equal(rsa_check(&n, &p2.e, NULL), 0);
	/* not minimal: a second 00, or 00 before a byte below 0x80 */
	n.len = 0;
	put_byte(&n, 0x00);
	put(&n, p2.n.b, 257);
	assert_int_equal(rsa_check(&n, &p2.e, NULL), 0);
	n.len = 0;
	put(&n, p2.n.b, 257);
	n.b[1] &= 0x7f;
	assert_int_equal(rsa_check(&n, &p2.e, NULL), 0);
	n.b[1] |= 0x40;
	assert_int_equal(rsa_check(&n, &p2.e, NULL), 0);
	/* zero, and no contents at all */
	n.len = 0;
	put_byte(&n, 0x00);
	assert_int_equal(rsa_check(&n, &p2.e, NULL), 0);
	n.len = 0;
	assert_int_equal(rsa_check(&n, &p2.e, NULL), 0);
}

static void
test_rsa_exponent(void **state)
{
	static const struct {
		const char *e;
		size_t len;
		int want;
	} t[] = {
		{ "\x01\x00\x01", 3, 1 },	/* 65537 */
		{ "\x03", 1, 1 },
		{ "\x00\x81", 2, 1 },		/* 129, sign byte needed */
		{ "\x00\xff\xff", 3, 1 },
		{ "\x01", 1, 0 },
		{ "\x02", 1, 0 },
		{ "\x00", 1, 0 },
		{ "", 0, 0 },
		{ "\x01\x00\x00", 3, 0 },	/* even */
		{ "\x00\x01\x00\x01", 4, 0 },	/* not minimal */
		{ "\x00\x03", 2, 0 },
		{ "\x81", 1, 0 },		/* negative */
		{ "\xff", 1, 0 },
		{ "\xff\xff\xff", 3, 0 },
	};
	struct parts p2;
	struct blob e;
	size_t i;

	(void)state;
	get_parts(rsa2048_der, sizeof(rsa2048_der), &p2);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		e.len = 0;
		put(&e, t[i].e, t[i].len);
		assert_int_equal(rsa_check(&p2.n, &e, NULL), t[i].want);
	}
	/* 2^256 - 1 (256 bits, odd): 00 || ff * 32 */
	e.len = 0;
	put_byte(&e, 0x00);
	memset(e.b + 1, 0xff, 32);
	e.len = 33;
	assert_int_equal(rsa_check(&p2.n, &e, NULL), 1);
	/* 2^256 + 1 (257 bits, odd): 01 || 00 * 31 || 01 */
	memset(e.b, 0x00, 33);
	e.b[0] = 0x01;
	e.b[32] = 0x01;
	assert_int_equal(rsa_check(&p2.n, &e, NULL), 0);
}

/* RSAPublicKey: missing, extra or swapped INTEGERs, wrong tags, trailing. */
static void
test_rsa_structure(void **state)
{
	struct parts p2;
	struct spki_spec s;
	struct blob ints, rk, nt, et;
	size_t i;

	(void)state;
	get_parts(rsa2048_der, sizeof(rsa2048_der), &p2);
	nt.len = 0;
	put_tlv(&nt, 0x02, p2.n.b, p2.n.len, LEN_DER);
	et.len = 0;
	put_tlv(&et, 0x02, p2.e.b, p2.e.len, LEN_DER);
	for (i = 0; i < 9; i++) {
		ints.len = 0;
		switch (i) {
		case 0:		/* control */
		case 1:		/* a byte after the SEQUENCE */
		case 2:		/* the SEQUENCE twice */
			put(&ints, nt.b, nt.len);
			put(&ints, et.b, et.len);
			break;
		case 3:
			put(&ints, nt.b, nt.len);
			break;
		case 4:
			put(&ints, nt.b, nt.len);
			put(&ints, et.b, et.len);
			put(&ints, et.b, et.len);
			break;
		case 5:
			put(&ints, et.b, et.len);
			put(&ints, nt.b, nt.len);
			break;
		case 6:		/* n as a BIT STRING */
			put_tlv(&ints, 0x03, p2.n.b, p2.n.len, LEN_DER);
			put(&ints, et.b, et.len);
			break;
		case 7:		/* e as an ENUMERATED */
			put(&ints, nt.b, nt.len);
			put_tlv(&ints, 0x0a, p2.e.b, p2.e.len, LEN_DER);
			break;
		default:	/* a SET instead of the SEQUENCE */
			put(&ints, nt.b, nt.len);
			put(&ints, et.b, et.len);
			break;
		}
		rk.len = 0;
		put_tlv(&rk, i == 8 ? 0x31 : 0x30, ints.b, ints.len, LEN_DER);
		if (i == 1)
			put_byte(&rk, 0x00);
		if (i == 2)
			put(&rk, rk.b, rk.len);
		spec_rs256(&s, &rk);
		assert_int_equal(check_spec(&s, ZA_COSE_RS256), i == 0);
	}
}

/*
 * The values byte orig is changed to, each once, never orig itself: the
 * extremes and the sign boundary, and its neighbours (a length one off,
 * a tag next to it, an INTEGER made even or odd, a sign bit flipped).
 */
static size_t
mutations(unsigned char orig, unsigned char *vals)
{
	static const unsigned char fixed[] = { 0x00, 0x7f, 0x80, 0xff };
	unsigned char cand[sizeof(fixed) + 4];
	size_t i, j, n = 0;

	memcpy(cand, fixed, sizeof(fixed));
	cand[sizeof(fixed)] = orig ^ 0x01;
	cand[sizeof(fixed) + 1] = orig ^ 0x80;
	cand[sizeof(fixed) + 2] = (unsigned char)(orig + 1);
	cand[sizeof(fixed) + 3] = (unsigned char)(orig - 1);
	for (i = 0; i < sizeof(cand); i++) {
		if (cand[i] == orig)
			continue;
		for (j = 0; j < n && vals[j] != cand[i]; j++)
			continue;
		if (j == n)
			vals[n++] = cand[i];
	}
	return n;
}

/* Is a change at offset i of v inside the key material? */
static int
in_key(const struct vector *v, size_t i)
{
	if (v->alg == ZA_COSE_ES256)
		return i > v->key_off;		/* after the 0x04 */
	if (v->alg == ZA_COSE_EDDSA)
		return i >= v->key_off;
	/* RSA: the contents of n and of e, not e's tag and length */
	return (i >= v->key_off && i < v->e_off) || i >= v->e_off + 2;
}

/*
 * Every single-byte change and every truncation of each valid key, for
 * each algorithm: the check accepts exactly what OpenSSL does (see
 * spki_oracle_verdict_given()).  Then the counts: a change is accepted
 * only inside the key material and only for the key's own algorithm; for
 * P-256 and Ed25519 every change there is accepted (no coordinate of
 * p256_der comes within one byte of p), for RSA some are not (e made even,
 * n shortened).
 */
static void
test_differential(void **state)
{
	unsigned char buf[BLOB_MAX], vals[32];
	size_t i, pos, nv, k, a;
	unsigned long accepted, inside, outside, mismatches;
	int r, o, oalg;

	(void)state;
	/* the precondition above: X and Y each differ from p's top four
	 * bytes (ff ff ff ff) in at least two of them */
	for (k = 0; k < 2; k++) {
		nv = 0;
		for (i = 0; i < 4; i++)
			nv += p256_der[P256_POINT_OFF + 1 + 32 * k + i] != 0xff;
		assert_true(nv >= 2);
	}
	for (i = 0; i < NVALID; i++) {
		accepted = inside = outside = mismatches = 0;
		memcpy(buf, valid[i].der, valid[i].len);
		for (pos = 0; pos <= valid[i].len; pos++) {
			/* pos == len: the truncations */
			nv = pos < valid[i].len ?
			    mutations(valid[i].der[pos], vals) : valid[i].len;
			for (k = 0; k < nv; k++) {
				size_t len = valid[i].len;

				if (pos < valid[i].len)
					buf[pos] = vals[k];
				else
					len = k;
				if (pos < valid[i].len &&
				    in_key(&valid[i], pos))
					inside++;
				oalg = spki_oracle_alg(buf, len);
				for (a = 0; a < NALGS; a++) {
					r = za_spki_check(buf, len, algs[a]);
					o = spki_oracle_verdict_given(buf,
					    len, algs[a], oalg);
					if (r != o && mismatches++ < 5)
						print_error("%s: byte %zu = "
						    "0x%02x, len %zu, alg %d: "
						    "check %d, OpenSSL %d\n",
						    valid[i].name, pos,
						    buf[pos < len ? pos : 0],
						    len, algs[a], r, o);
					if (!r)
						continue;
					if (algs[a] != valid[i].alg ||
					    pos == valid[i].len ||
					    !in_key(&valid[i], pos))
						outside++;
					else
						accepted++;
				}
			}
			if (pos < valid[i].len)
				buf[pos] = valid[i].der[pos];
		}
		assert_int_equal(mismatches, 0);
		assert_int_equal(outside, 0);
		assert_true(accepted > 0);
		if (valid[i].alg == ZA_COSE_RS256)
			assert_true(accepted < inside);
		else
			assert_int_equal(accepted, inside);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_keys),
		cmocka_unit_test(test_writer_rebuilds_keys),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_truncation_and_trailing),
		cmocka_unit_test(test_length_off_by_one),
		cmocka_unit_test(test_length_forms),
		cmocka_unit_test(test_algorithm_identifiers),
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_crossed_parts),
		cmocka_unit_test(test_ec_points),
		cmocka_unit_test(test_ed25519_keys),
		cmocka_unit_test(test_rsa_modulus),
		cmocka_unit_test(test_rsa_exponent),
		cmocka_unit_test(test_rsa_structure),
		cmocka_unit_test(test_differential),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
