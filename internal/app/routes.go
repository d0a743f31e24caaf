package app

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v5"

	"github.com/thaitrust/thaitrust/internal/httpx"
	"github.com/thaitrust/thaitrust/schemas"
	"github.com/thaitrust/thaitrust/signing/did"
	"github.com/thaitrust/thaitrust/web"
)

// schemaView is one catalogue entry as GET /schemas shows it.
type schemaView struct {
	Name     string            `json:"name"`
	Title    map[string]string `json:"title"`
	SchemaID string            `json:"schemaId"`
	Schema   json.RawMessage   `json:"schema"`
	Example  json.RawMessage   `json:"example"`
}

func viewOf(t schemas.Type) schemaView {
	return schemaView{Name: t.Name, Title: t.Title, SchemaID: t.SchemaID, Schema: t.Schema, Example: t.Example}
}

// registerSchemas serves the credential-type catalogue:
//
//	GET /schemas          every type with its JSON Schema and an example
//	GET /schemas/{name}   one type ({name} may end in .json: the schema itself)
func registerSchemas(e *echo.Echo) {
	e.GET("/schemas", func(c *echo.Context) error {
		ts := schemas.Types()
		out := make([]schemaView, 0, len(ts))
		for _, t := range ts {
			out = append(out, viewOf(t))
		}
		c.Response().Header().Set("Cache-Control", "public, max-age=300")
		return httpx.JSON(c, http.StatusOK, out)
	})
	e.GET("/schemas/:name", func(c *echo.Context) error {
		name := c.Param("name")
		raw, asSchema := strings.CutSuffix(name, ".json")
		t, ok := schemas.Lookup(raw)
		if !ok {
			return httpx.NewProblem(http.StatusNotFound, "unknown-type", "no credential type named "+raw+"; GET /schemas lists them")
		}
		c.Response().Header().Set("Cache-Control", "public, max-age=300")
		if asSchema {
			return c.Blob(http.StatusOK, "application/schema+json", t.Schema)
		}
		return httpx.JSON(c, http.StatusOK, viewOf(t))
	})
}

// registerVCT serves the SD-JWT VC Type Metadata of the catalogue types:
//
//	GET /vct/{name}   e.g. /vct/DegreeCredential (the vct
//	                  https://thaitrust.example/vct/DegreeCredential names it)
func registerVCT(e *echo.Echo) {
	e.GET("/vct/:name", func(c *echo.Context) error {
		m, ok := schemas.TypeMetadata(c.Param("name"))
		if !ok {
			return httpx.NewProblem(http.StatusNotFound, "unknown-type", "no credential type named "+c.Param("name")+"; GET /schemas lists them")
		}
		c.Response().Header().Set("Cache-Control", "public, max-age=300")
		return httpx.JSON(c, http.StatusOK, m)
	})
}

// registerResolver serves DID resolution in the style of the Universal
// Resolver: GET /1.0/identifiers/{did} returns the DID document.
func registerResolver(e *echo.Echo, r *did.Resolver) {
	e.GET("/1.0/identifiers/:did", func(c *echo.Context) error {
		id, err := didParam(c.Param("did"))
		if err != nil || !strings.HasPrefix(id, "did:") {
			return httpx.BadRequest("invalid_did", "give a DID, e.g. /1.0/identifiers/did:key:z6Mk...")
		}
		doc, err := r.Resolve(c.Request().Context(), id)
		switch {
		case errors.Is(err, did.ErrInvalidDID):
			return httpx.BadRequest("invalid_did", err.Error())
		case errors.Is(err, did.ErrUnsupportedMethod):
			return httpx.NewProblem(http.StatusNotImplemented, "method-not-supported", err.Error())
		case errors.Is(err, did.ErrNotFound):
			return httpx.NewProblem(http.StatusNotFound, "not-found", "the DID could not be resolved")
		case err != nil:
			p := httpx.NewProblem(http.StatusBadGateway, "resolution-failed", "the DID could not be resolved")
			p.Err = err
			return p
		}
		return httpx.WriteJSON(c, http.StatusOK, "application/did+json", doc)
	})
}

// didParam returns the DID named by the path parameter of
// /1.0/identifiers/{did}. Echo hands the parameter out as the client wrote
// it when the request's escaping is not Go's default (URL.RawPath is set),
// else decoded once. Either way it is taken as the DID as it stands: a DID
// may itself contain percent-encoding (did:web:example.com%3A8443, a
// did:web with a port), and decoding that would name another DID
// (did:web:example.com:8443). It is decoded once more only when it still
// is evidently an escaped DID: it does not start with "did:"
// (did%3Aweb%3A..., as encodeURIComponent writes it) or it holds an
// escaped percent sign (%25).
func didParam(raw string) (string, error) {
	if strings.HasPrefix(raw, "did:") && !strings.Contains(raw, "%25") {
		return raw, nil
	}
	return url.PathUnescape(raw)
}

// registerHome serves the pages people use (package web) at /, /verify,
// /registry, /wallet and /console, and their assets under /assets/.
func registerHome(e *echo.Echo, a *App) {
	h := &web.Handler{
		Verifier: a.verifier, Registry: a.registry,
		Issuers: a.issuers, OID4VCI: a.vci, Clients: a.Config.Clients,
		PublicURL: a.Config.PublicURL, DataDir: a.DataDir, Log: a.log, Now: a.nowFn,
	}
	if a.docs != nil {
		h.Documents = a.docs
		h.PDFOptions = a.docs.Options
	}
	if len(a.Config.Verifiers) > 0 {
		// The portal asks as the first relying party (the demo: the employer).
		h.Presentations = a.vp[a.Config.Verifiers[0].Name]
	}
	if a.Config.Demo {
		h.Wallet = a.OpenDemoWallet // the demo holder's web wallet (demo_wallet.go)
	}
	h.Register(e)
}
