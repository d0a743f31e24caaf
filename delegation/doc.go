// Package delegation models the authority of juristic persons and powers of
// attorney: who may act for a company, and chains of delegation that a
// relying party (the Revenue Department, a bank) can verify back to DBD.
//
// # Credentials
//
// Three catalogue types (package schemas) carry it, each a W3C VCDM 2.0
// credential secured as vc+jwt with status-list entries (credential/status):
//
//   - JuristicPersonCredential (DBD): the company, its status, the
//     signing-authority clause verbatim in Thai and English, and the
//     structured signing rule (alone or jointly, minimum signers,
//     eligible directors by PID or passport, seal required, limits).
//     Its subject id, when set, is the DID of the company's electronic
//     seal: the key that applies the seal where the rule requires it.
//   - DirectorAuthorityCredential (DBD, one per director, days of
//     validity): the company, the director, the rule that applies to
//     them. Its subject id is the DID of the director's holder key.
//   - DelegationCredential (the delegation service, in the demo DBD):
//     grantor (a juristic or natural person), executedBy (the directors
//     who signed), grantee (subject id: the DID of their holder key),
//     scope (actions, relying parties, amount limit), purpose, validity,
//     maxUses, subDelegation {allowed, maxDepth}, parent {id, digestSRI}.
//
// # Multi-party signing
//
// Service runs the workflow. Draft checks the request (the company's and
// directors' credentials, eligibility, that the named directors can
// satisfy the rule, limits; for a sub-delegation, that it narrows its
// parent) and fixes the draft document: the credentialSubject, issuer and
// validity exactly as they will be issued. Each signer then approves it
// with their own holder key (Approve makes the JWS, typ
// delegation-approval+jwt, over the draft id, the SHA-256 of the draft
// document and the role): every executing director (RoleDirector, with the
// key their DirectorAuthorityCredential binds), the company seal
// (RoleSeal) when the rule requires it, or the natural-person grantor
// (RoleGrantor). Service.Approve checks each approval as it arrives.
// Service.Issue refuses (ErrIncomplete) until every signer approved; then
// the issuer signs the credential with a DelegationExecution evidence
// object carrying the draft document, the time of execution, every
// approval and, for directors, their DirectorAuthorityCredential. Partial
// approvals never produce a credential, and verifiers re-check every
// approval from the evidence: the issuer's countersignature adds to the
// directors' signatures and does not replace them.
//
// # Verifying a chain
//
// Verifier.Verify takes a Chain (the company credential and the links,
// root first) and a Request (action, relying party, amount, the company
// the presenter acts for, and the presenter's authenticated DID) and checks,
// stopping at the first failure:
//
//  1. every link: format, issuer trusted for DelegationCredential,
//     signature, validity now, schema, status (revocation and suspension;
//     a link without status fails), and a validUntil;
//  2. for a juristic grantor: the company credential (the same checks,
//     now), the company active and the grantor, the company the request
//     names; the DelegationExecution evidence, the issued subject equal to
//     the signed draft's; each director's authority (trusted DBD issuer,
//     signature, valid at the time of execution, not revoked or suspended
//     now, same company), their approval by the key it binds, eligibility
//     under the company's rule and their own, no director counted twice,
//     at least minSigners of every applicable rule, executedBy naming
//     exactly the signers, the seal by the company's seal key when
//     required, and the rule's limits (excluded actions, maximum amount);
//  3. for a natural-person grantor (a root, or any sub-delegation): the
//     grantor's approval by their bound key over the draft;
//  4. each sub-delegation: parent id and, when the link carries one (the
//     service always sets it), the parent's digestSRI; grantor = parent's
//     grantee, sub-delegation allowed and depth within every ancestor's
//     maxDepth, actions and relying parties subsets, amount limit not
//     higher, validity within the parent's;
//  5. the request: action and relying party in the final scope, amount
//     within every link's limit and the signing rule's maximum (same
//     currency), and the presenter is the final grantee (the last link's
//     subject id).
//
// The Result names the failing link (-1 the company, 0 the root, ...),
// part, rule and a stable reason code, with sentences in English and
// Thai that tell a clerk what to do.
//
// A director's authority is checked as of the time of execution for its
// validity period (DirectorAuthorityCredentials live days; a power of
// attorney lives months) and now for its status: a change of directors,
// which DBD records by revoking the departing director's credentials,
// invalidates every delegation that director executed.
//
// # Hazards
//
// WARNING: on a change of directors DBD must revoke every
// DirectorAuthorityCredential it issued to the departing director,
// expired ones included: a delegation embeds the credential that was
// current when it was signed, and only its status bit reaches it later.
//
// WARNING: a natural-person grantor of a root grant is identified only by
// the issuer that drafts it: the service checks that the grantor's key
// signed, not that the key is that person's (no identity credential is
// asked for). Sub-delegations do not have this gap: their grantor's key
// is the one the parent link binds.
//
// WARNING: a draft (GET /delegations/drafts/{id}) shows personal data of
// the parties to whoever holds its id; ids are random (122 bits), and
// drafts are kept in the Store (the server's database), issued ones
// included: nothing removes them.
//
// WARNING: maxUses cannot be enforced by a stateless verification; the
// result warns (max_uses_not_counted) and the relying party must count
// uses.
//
// WARNING: Request.Presenter must come from an authenticated presentation
// (VerifyPresentation) or an equivalent proof of possession; a DID taken
// from an unauthenticated request proves nothing.
package delegation
