package app

// InitDemo exposes initDemo to the external tests, so that they can adjust
// a fresh demo configuration (a second client, a conformance issuer)
// before the one Open that serves it.
var InitDemo = initDemo
