// Package issuer issues W3C Verifiable Credentials for one issuing
// institution and manages their status.
package issuer
