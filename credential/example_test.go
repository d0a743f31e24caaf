package credential_test

import (
	"errors"
	"fmt"

	"github.com/thaitrust/thaitrust/credential"
)

func ExampleParse() {
	c, err := credential.Parse([]byte(`{
	  "@context": ["https://www.w3.org/ns/credentials/v2", "https://thaitrust.example/ns/credentials/v1"],
	  "type": ["VerifiableCredential", "ThaiCitizenCredential"],
	  "issuer": {"id": "did:web:dopa.go.th", "name": [{"@value": "กรมการปกครอง", "@language": "th"}]},
	  "validFrom": "2025-03-15T09:00:00+07:00",
	  "credentialSubject": {"id": "did:key:z6MkpJySvETLnxhQG9DzEdmKJtysBDjuuTeDfUj1uNNCUqcj", "givenName": "สมหญิง"}
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(c.PrimaryType(), c.Issuer.ID, c.ValidFrom, c.SubjectID())
	// Output: ThaiCitizenCredential did:web:dopa.go.th 2025-03-15 02:00:00 +0000 UTC did:key:z6MkpJySvETLnxhQG9DzEdmKJtysBDjuuTeDfUj1uNNCUqcj
}

func ExampleValidationError() {
	_, err := credential.Parse([]byte(`{
	  "@context": ["https://www.w3.org/ns/credentials/v2"],
	  "type": ["VerifiableCredential"],
	  "issuer": "did:web:dopa.go.th",
	  "credentialSubject": {}
	}`))
	var ve *credential.ValidationError
	if errors.As(err, &ve) {
		fmt.Println(errors.Is(err, credential.ErrInvalid), ve.Reason, ve.Field)
	}
	// Output: true subject_empty /credentialSubject
}

func ExampleEnvelope() {
	const jws = "eyJhbGciOiJFZERTQSIsInR5cCI6InZjK2p3dCJ9.eyJpc3MiOiJkaWQ6d2ViOmRvcGEuZ28udGgifQ.c2ln"
	p, err := credential.PresentationFromMap(map[string]any{
		"@context":             []any{credential.ContextV2},
		"type":                 []any{credential.TypePresentation},
		"verifiableCredential": []any{credential.Envelope("application/vc+jwt", jws)},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	env := p.Credentials[0].Enveloped
	fmt.Println(env.MediaType, env.Data == jws)
	fmt.Println(env.URL()[:30])
	// Output:
	// application/vc+jwt true
	// data:application/vc+jwt,eyJhbG
}

func ExampleParseDataURL() {
	e, err := credential.ParseDataURL("data:application/vc+sd-jwt,eyJhbGciOiJFUzI1NiJ9.eyJfc2QiOltdfQ.c2ln~WyJzYWx0IiwiZ2l2ZW5fbmFtZSIsIuC4quC4oeC4q-C4jeC4tOC4hyJd~")
	fmt.Println(e.MediaType, err)
	// Output: application/vc+sd-jwt <nil>
}
