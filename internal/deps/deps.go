// Package deps pins the module's dependencies while the packages that use
// them are written. It is removed once every dependency has a real importer.
package deps

import (
	_ "github.com/labstack/echo/v5"
	_ "github.com/rogpeppe/go-internal/testscript"
	_ "github.com/santhosh-tekuri/jsonschema/v6"
	_ "go.etcd.io/bbolt"
	_ "golang.org/x/crypto/argon2"
	_ "golang.org/x/text/unicode/norm"
)
