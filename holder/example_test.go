package holder_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/thaitrust/thaitrust/credential/sdjwt"
	"github.com/thaitrust/thaitrust/holder"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
)

// A wallet in a directory, a credential in it, and a DCQL query matched
// against it. (Receive and ResolveRequest/Prepare/Respond do the same over
// OpenID4VCI and OpenID4VP.)
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "wallet")
	defer os.RemoveAll(dir)

	// Create the encrypted wallet (use the default KDF parameters: the
	// ones here are for a fast example only).
	store, err := holder.CreateDir(filepath.Join(dir, "w"), []byte("correct horse battery staple"),
		holder.CreateOptions{KDF: signing.KDFParams{Time: 1, MemoryKiB: 64, Threads: 1}})
	if err != nil {
		panic(err)
	}
	w, err := holder.New(ctx, holder.Config{Store: store})
	if err != nil {
		panic(err)
	}

	// A degree issued as an SD-JWT VC to a fresh holder key.
	issuerKey, _ := signing.GenerateKey(signing.EdDSA)
	issuerDID, _ := did.KeyDID(issuerKey.Public())
	holderKey, _ := signing.GenerateKey(signing.EdDSA)
	raw, err := sdjwt.IssueVC(sdjwt.VC{
		Type: holder.VCTBase + "DegreeCredential", Issuer: issuerDID, Holder: holderKey.Public(),
		Claims: map[string]any{
			"student": map[string]any{"studentId": "6230123421", "name": map[string]any{"th": map[string]any{"given": "ณัฐวุฒิ"}}},
			"award":   map[string]any{"name": map[string]any{"th": "วิศวกรรมศาสตรบัณฑิต", "en": "Bachelor of Engineering"}},
		},
	}, sdjwt.Spec{"/student/studentId"}, sdjwt.Signer{Key: issuerKey, KeyID: issuerDID + "#" + issuerDID[8:]}, sdjwt.IssueOptions{})
	if err != nil {
		panic(err)
	}
	jwk, _ := signing.PrivateJWK(holderKey)
	if err := w.Add(ctx, &holder.Credential{ID: "degree1", Format: holder.FormatSDJWT, Raw: raw}, &holder.Key{JWK: jwk}); err != nil {
		panic(err)
	}
	for _, s := range w.List(ctx) {
		fmt.Println(s.ID, s.Title["th"], "/", s.Title["en"])
	}

	// What would an employer asking for the degree's name get?
	q, err := holder.ParseQuery([]byte(`{"credentials":[{"id":"degree","format":"dc+sd-jwt",
		"meta":{"vct_values":["https://thaitrust.example/vct/DegreeCredential"]},
		"claims":[{"path":["award","name"]},{"path":["student","studentId"]}]}]}`))
	if err != nil {
		panic(err)
	}
	m := w.Match(q)
	for _, c := range m.Query("degree").Candidates {
		fmt.Println(c.CredentialID, c.Claims)
	}
	// Output:
	// degree1 ปริญญาบัตร / Degree Certificate
	// degree1 [["award","name"] ["student","studentId"]]
}
