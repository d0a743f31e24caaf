// Package httpx is the HTTP plumbing every ThaiTrust server shares: the echo
// bootstrap, middleware (request ids, access logs, panic recovery, body
// limits, security headers, bearer-token authentication) and the single
// error renderer that turns every failure into RFC 9457 problem JSON.
//
// # Errors
//
// Handlers return errors. A *Problem is rendered as it is; echo's own
// errors (no route, method not allowed, body too large) become problems
// with the matching status; anything else is a 500 whose detail says only
// "internal error" plus the request id, and whose cause is logged (the
// message, never a stack trace). Domain packages do not know HTTP: each
// <domain>http package translates its domain's errors into Problems in one
// function.
//
// # Logging
//
// Access logs carry the method, the route path (never the query string,
// which may hold codes or tokens), the status, the duration and the
// request id. Request bodies, headers and secrets are never logged.
package httpx
