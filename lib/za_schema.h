/*
 * Names of the directory attributes and object classes zoneauth uses.
 *
 * The zoneauth schema (contrib/ldap/zoneauth.schema, zoneauth.ldif) defines
 * every ZA_AT_* and ZA_OC_* name below under the OID arc
 * 2.25.122520794348853658907694287908088157442 (ITU-T X.667 UUID arc):
 * .1.N attribute types, .2.N object classes.  OTP tokens use the OpenLDAP
 * otp overlay's oath* names so one enrolment also works with that overlay.
 */
#ifndef ZA_SCHEMA_H
#define ZA_SCHEMA_H

#define ZA_OID_ARC	"2.25.122520794348853658907694287908088157442"

/* ---- standard attributes (core, cosine, inetorgperson, nis, ppolicy) */
#define ZA_AT_OBJECT_CLASS	"objectClass"		/* core: entry's classes */
#define ZA_OC_INET_ORG_PERSON	"inetOrgPerson"		/* structural class of users */
#define ZA_OC_POSIX_ACCOUNT	"posixAccount"		/* nis: uidNumber, home, shell */
#define ZA_AT_UID		"uid"
#define ZA_AT_CN		"cn"
#define ZA_AT_SN		"sn"
#define ZA_AT_GIVEN_NAME	"givenName"
#define ZA_AT_DISPLAY_NAME	"displayName"
#define ZA_AT_MAIL		"mail"
#define ZA_AT_EMPLOYEE_NUMBER	"employeeNumber"	/* HR correlation key */
#define ZA_AT_DEPARTMENT	"departmentNumber"
#define ZA_AT_OU		"ou"
#define ZA_AT_UID_NUMBER	"uidNumber"
#define ZA_AT_GID_NUMBER	"gidNumber"
#define ZA_AT_HOME		"homeDirectory"
#define ZA_AT_SHELL		"loginShell"
#define ZA_AT_MEMBER_UID	"memberUid"		/* posixGroup */
#define ZA_AT_MEMBER		"member"		/* groupOfNames */
#define ZA_AT_USER_PASSWORD	"userPassword"		/* secret: never logged */
#define ZA_AT_PWD_RESET		"pwdReset"
#define ZA_AT_PWD_LOCKED_TIME	"pwdAccountLockedTime"
#define ZA_AT_PWD_FAILURE_TIME	"pwdFailureTime"
#define ZA_AT_PWD_LAST_SUCCESS	"pwdLastSuccess"
#define ZA_AT_AUTH_TIMESTAMP	"authTimestamp"		/* lastbind overlay */
#define ZA_AT_CREATE_TIMESTAMP	"createTimestamp"
#define ZA_AT_MODIFY_TIMESTAMP	"modifyTimestamp"

/* ---- zoneauth account lifecycle (auxiliary class zoneauthAccount) */
#define ZA_OC_ACCOUNT		"zoneauthAccount"
#define ZA_AT_NAME_KANA		"zaNameKana"		/* 氏名カナ */
#define ZA_AT_EMPLOYMENT_TYPE	"zaEmploymentType"	/* staff|temporary|contractor|development */
#define ZA_AT_ACCOUNT_STATUS	"zaAccountStatus"	/* active|suspended|disabled */
#define ZA_AT_STATUS_REASON	"zaStatusReason"
#define ZA_AT_STATUS_TIME	"zaStatusChangedTime"
#define ZA_AT_SUSPEND_FROM	"zaSuspendedFrom"	/* 出向/休職 start */
#define ZA_AT_RETURN_DATE	"zaReturnDate"		/* expected return */
#define ZA_AT_EXPIRY		"zaAccountExpiry"	/* development/temporary IDs */
#define ZA_AT_PROJECT		"zaProject"		/* development project */
#define ZA_AT_LAST_MFA_TIME	"zaLastMfaLoginTime"
#define ZA_AT_LAST_MFA_TERMINAL	"zaLastMfaLoginTerminal"
#define ZA_AT_LAST_LOGOUT_TIME	"zaLastLogoutTime"
#define ZA_AT_AUTH_FAILURE	"zaAuthFailure"		/* multi: "<gentime> <nonce> <terminal>" */
#define ZA_AT_LOCKED_UNTIL	"zaLockedUntil"		/* zoneauth lockout */
#define ZA_AT_LAST_REVIEW_TIME	"zaLastReviewTime"	/* access review */
#define ZA_AT_LAST_REVIEWER	"zaLastReviewer"
#define ZA_AT_CREATED_BY	"zaCreatedBy"
#define ZA_AT_APPROVAL_REF	"zaApprovalRef"		/* 申請/承認番号 */

/* ---- tokens: child entries of the user, structural class zoneauthToken */
#define ZA_OC_TOKEN		"zoneauthToken"
#define ZA_AT_TOKEN_ID		"zaTokenId"		/* RDN: short random id */
#define ZA_AT_TOKEN_KIND	"zaTokenKind"		/* totp|hotp|fido2 */
#define ZA_AT_TOKEN_LABEL	"zaTokenLabel"
#define ZA_AT_TOKEN_STATUS	"zaTokenStatus"		/* active|revoked|cloned */
#define ZA_AT_TOKEN_CREATED	"zaTokenCreatedTime"
#define ZA_AT_TOKEN_LAST_USED	"zaTokenLastUsedTime"
#define ZA_AT_TOKEN_REVOKED	"zaTokenRevokedTime"
#define ZA_AT_TOKEN_REVOKE_REASON "zaTokenRevokeReason"	/* lost|broken|left|... */

/* ---- FIDO2 credential (auxiliary class zoneauthFido2Credential) */
#define ZA_OC_FIDO2		"zoneauthFido2Credential"
#define ZA_AT_FIDO2_CRED_ID	"zaFido2CredentialId"	/* octets */
#define ZA_AT_FIDO2_PUBKEY	"zaFido2PublicKey"	/* DER SubjectPublicKeyInfo */
#define ZA_AT_FIDO2_ALG		"zaFido2Algorithm"	/* COSE alg: -7 ES256, -8 EdDSA */
#define ZA_AT_FIDO2_AAGUID	"zaFido2Aaguid"		/* 8-4-4-4-12 hex */
#define ZA_AT_FIDO2_SIGN_COUNT	"zaFido2SignCount"
#define ZA_AT_FIDO2_UV_KIND	"zaFido2UvKind"		/* none|pin|builtin */
#define ZA_AT_FIDO2_RP_ID	"zaFido2RpId"

/* ---- OTP tokens: OpenLDAP otp overlay names (oathTOTPToken/oathHOTPToken) */
#define ZA_OC_OATH_TOTP_TOKEN	"oathTOTPToken"
#define ZA_OC_OATH_HOTP_TOKEN	"oathHOTPToken"
#define ZA_OC_OATH_TOTP_PARAMS	"oathTOTPParams"
#define ZA_OC_OATH_HOTP_PARAMS	"oathHOTPParams"
#define ZA_OC_OATH_TOTP_USER	"oathTOTPUser"
#define ZA_OC_OATH_HOTP_USER	"oathHOTPUser"
#define ZA_AT_OATH_SECRET	"oathSecret"
#define ZA_AT_OATH_SECRET_TIME	"oathSecretTime"
#define ZA_AT_OATH_TOTP_PARAMS	"oathTOTPParams"	/* DN of params entry */
#define ZA_AT_OATH_HOTP_PARAMS	"oathHOTPParams"
#define ZA_AT_OATH_TOTP_TOKEN	"oathTOTPToken"		/* user -> token DN */
#define ZA_AT_OATH_HOTP_TOKEN	"oathHOTPToken"
#define ZA_AT_OATH_LAST_STEP	"oathTOTPLastTimeStep"
#define ZA_AT_OATH_HOTP_COUNTER	"oathHOTPCounter"
#define ZA_AT_OATH_OTP_LENGTH	"oathOTPLength"
#define ZA_AT_OATH_HMAC_ALG	"oathHMACAlgorithm"	/* OID */
#define ZA_AT_OATH_STEP_PERIOD	"oathTOTPTimeStepPeriod"
#define ZA_AT_OATH_STEP_WINDOW	"oathTOTPTimeStepWindow"
#define ZA_AT_OATH_LOOKAHEAD	"oathHOTPLookAhead"

/* HMAC algorithm OIDs as the otp overlay expects them */
#define ZA_OID_HMAC_SHA1	"1.2.840.113549.2.7"
#define ZA_OID_HMAC_SHA256	"1.2.840.113549.2.9"
#define ZA_OID_HMAC_SHA512	"1.2.840.113549.2.11"

/* ---- privileged ID registry (auxiliary class zoneauthPrivileged) */
#define ZA_OC_PRIVILEGED	"zoneauthPrivileged"
#define ZA_AT_PRIV_OWNER	"zaPrivOwner"		/* DN of the responsible person */
#define ZA_AT_PRIV_PURPOSE	"zaPrivPurpose"
#define ZA_AT_PRIV_DEFAULT_NAME	"zaPrivDefaultName"	/* name it was renamed from */
#define ZA_AT_PRIV_ROTATE_DAYS	"zaPrivRotationDays"
#define ZA_AT_PRIV_ROTATED	"zaPrivLastRotationTime"
#define ZA_AT_PRIV_CHECKOUT_BY	"zaPrivCheckoutHolder"	/* DN */
#define ZA_AT_PRIV_CHECKOUT_FROM "zaPrivCheckoutStart"
#define ZA_AT_PRIV_CHECKOUT_UNTIL "zaPrivCheckoutEnd"
#define ZA_AT_PRIV_ESCROW	"zaPrivEscrow"		/* current escrowed secret (sealed) */
#define ZA_AT_PRIV_ESCROW_HIST	"zaPrivEscrowHistory"	/* multi: older sealed secrets */
#define ZA_AT_PRIV_ROTATION_STATE "zaPrivRotationState"	/* write-ahead marker */

#endif /* ZA_SCHEMA_H */
