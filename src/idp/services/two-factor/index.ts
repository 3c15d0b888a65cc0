/** Two-factor authentication (TOTP, emailed codes and recovery codes), as FusionAuth does it; docs/idp.md, "Two-factor". */
export { challengeIfNeeded, challengeNeeded, completeChallenge, pendingLogin, startChallenge, MAX_FAILURES_PER_ID, type Challenge, type ChallengeRequest, type Completion } from './challenge.js';
export { disableMethod, enableAuthenticator, regenerateRecoveryCodes } from './enrollment.js';
export { enableEmail, sendEnrollmentCode } from './enrollment-email.js';
export { sendLoginCode, type LoginSendOutcome } from './email-login.js';
export { emailOf, hasTwoFactor, keyFrom, methodJson, methodsOf, twoFactorJson } from './methods.js';
export { authenticatorAllowed, emailMethodTemplate, oneTimeCodeTtlSeconds, trustTtlSeconds } from './policy.js';
export { takeCodeAttempt } from './rate-limit.js';
export { appendCookie, issueTrust, presentedTrust, TRUST_COOKIE, trustCookie } from './trust.js';
export { base32Encode, generateSecret, otpauthUri } from './totp.js';
