package app

import (
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/labstack/echo/v5"

	"github.com/thaitrust/thaitrust/internal/httpx"
	"github.com/thaitrust/thaitrust/schemas"
	"github.com/thaitrust/thaitrust/signing/did"
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

var homePage = template.Must(template.New("home").Parse(`<!doctype html>
<html lang="th"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ThaiTrust</title></head>
<body>
<main>
<h1>ThaiTrust</h1>
<p lang="th">กรอบความน่าเชื่อถือสำหรับเอกสารรับรองดิจิทัล (Verifiable Credentials) ของประเทศไทย</p>
<p lang="en">A trust framework for Thailand's digital credentials.</p>
<h2><span lang="th">ผู้ออกเอกสาร</span> / Issuers</h2>
<ul>{{range .Issuers}}<li><strong>{{index .DisplayName "th"}}</strong> / {{index .DisplayName "en"}}<br><code>{{.DID}}</code><br>{{range .Types}}<code>{{.}}</code> {{end}}</li>{{end}}</ul>
<h2>API</h2>
<ul>
<li><code>POST /issuers/{name}/credentials/issue</code> — <span lang="th">ออกเอกสาร</span> / issue (bearer token)</li>
<li><code>POST /issuers/{name}/credentials/status</code> — <span lang="th">เพิกถอน / ระงับ</span> / revoke, suspend (bearer token)</li>
<li><code>POST /credentials/verify</code>, <code>POST /presentations/verify</code> — <span lang="th">ตรวจสอบ</span> / verify</li>
<li><a href="/schemas"><code>GET /schemas</code></a>, <code>GET /vct/{type}</code> — <span lang="th">ประเภทเอกสาร</span> / credential types</li>
<li><code>POST /issuers/{name}/offers</code> — <span lang="th">เสนอเอกสารให้กระเป๋าเอกสารดิจิทัล (OpenID4VCI)</span> / offer a credential to a wallet (bearer token)</li>
<li><a href="/registry/entities"><code>GET /registry/entities</code></a>, <code>POST /trqp/authorization</code>, <a href="/registry/trustlist.jwt"><code>GET /registry/trustlist.jwt</code></a> — <span lang="th">ทะเบียนความน่าเชื่อถือ</span> / trust registry</li>
<li><a href="/issuers"><code>GET /issuers</code></a>, <code>GET /1.0/identifiers/{did}</code>, <a href="/healthz"><code>GET /healthz</code></a></li>
</ul>
</main></body></html>`))

func registerHome(e *echo.Echo, a *App) {
	e.GET("/", func(c *echo.Context) error {
		type view struct{ Issuers []IssuerConfig }
		is := append([]IssuerConfig(nil), a.Config.Issuers...)
		sort.Slice(is, func(i, j int) bool { return is[i].Name < is[j].Name })
		var b strings.Builder
		if err := homePage.Execute(&b, view{Issuers: is}); err != nil {
			return err
		}
		return c.HTML(http.StatusOK, b.String())
	})
}
