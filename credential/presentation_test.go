package credential

import (
	"os"
	"reflect"
	"testing"
)

func TestParsePresentation(t *testing.T) {
	data, err := os.ReadFile("testdata/presentation.json")
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParsePresentation(data)
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "urn:uuid:7b1f0c8e-4a53-4c62-9d7e-2f61a3d7b0aa" || p.Holder != "did:key:z6MkpJySvETLnxhQG9DzEdmKJtysBDjuuTeDfUj1uNNCUqcj" {
		t.Errorf("ID %q Holder %q", p.ID, p.Holder)
	}
	if !reflect.DeepEqual(p.Types, []string{TypePresentation}) || len(p.Context) != 1 {
		t.Errorf("Types %q Context %#v", p.Types, p.Context)
	}
	if len(p.Credentials) != 2 {
		t.Fatalf("%d credentials", len(p.Credentials))
	}
	env := p.Credentials[0]
	if env.Credential != nil || env.Enveloped == nil || env.Enveloped.MediaType != "application/vc+jwt" {
		t.Errorf("first entry = %#v", env)
	}
	emb := p.Credentials[1]
	if emb.Enveloped != nil || emb.Credential == nil || emb.Credential.Subjects[0]["nickname"] != "หญิง" {
		t.Errorf("second entry = %#v", emb)
	}
	if err := p.CheckSelfAsserted(1); err != nil {
		t.Errorf("CheckSelfAsserted(1) = %v", err)
	}
	checkReason(t, p.CheckSelfAsserted(0), want{ReasonVCInvalid, "/verifiableCredential/0"})
	checkReason(t, p.CheckSelfAsserted(2), want{ReasonVCInvalid, "/verifiableCredential/2"})
	out, err := p.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	p2, err := ParsePresentation(out)
	if err != nil || !reflect.DeepEqual(p2.Map(), p.Map()) {
		t.Fatalf("round trip: %v", err)
	}
}

func TestPresentationReasons(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(map[string]any)
		want   want
	}{
		{"context missing", del("@context"), want{ReasonContextMissing, "/@context"}},
		{"context string", set("@context", v2), want{ReasonContextNotArray, "/@context"}},
		{"context order", set("@context", `["https://thaitrust.example/ns/credentials/v1",`+v2+`]`), want{ReasonContextFirstNotV2, "/@context/0"}},
		{"context bad url", set("@context", `[`+v2+`,"https ://not-a-url/contexts/example/v1"]`), want{ReasonContextURLInvalid, "/@context/1"}},
		{"context number", set("@context", `[`+v2+`,123192875]`), want{ReasonContextEntryInvalid, "/@context/1"}},
		{"id not url", set("id", `"vp-1"`), want{ReasonIDInvalid, "/id"}},
		{"type missing", del("type"), want{ReasonTypeMissing, "/type"}},
		{"type credential", set("type", `["VerifiableCredential"]`), want{ReasonTypeMissingBase, "/type"}},
		{"type unmapped", set("type", `["VerifiablePresentation","CredentialManagerPresentation"]`), want{ReasonTypeUnmapped, "/type/1"}},
		{"holder not url", set("holder", `"z6MkpJySvETLnxhQG9DzEdmKJtysBDjuuTeDfUj1uNNCUqcj"`), want{ReasonHolderInvalid, "/holder"}},
		{"holder object without id", set("holder", `{"name":"Acme"}`), want{ReasonHolderInvalid, "/holder"}},
		{"holder object bad id", set("holder", `{"id":"z6Mk"}`), want{ReasonHolderInvalid, "/holder"}},
		{"holder null", set("holder", `null`), want{ReasonHolderInvalid, "/holder"}},
		{"vc string", set("verifiableCredential", `["eyJ.eyJ.sig"]`), want{ReasonVCInvalid, "/verifiableCredential/0"}},
		{"vc bare string", set("verifiableCredential", `"eyJ.eyJ.sig"`), want{ReasonVCInvalid, "/verifiableCredential"}},
		{"vc empty", set("verifiableCredential", `[]`), want{ReasonVCInvalid, "/verifiableCredential"}},
		{"vc number entry", set("verifiableCredential", `[{"@context":[`+v2+`],"type":"VerifiableCredential","issuer":"did:example:i","credentialSubject":{"a":1}},2]`), want{ReasonVCInvalid, "/verifiableCredential/1"}},
		{"vc no type", set("verifiableCredential", `{"@context":[`+v2+`],"issuer":"did:example:i","credentialSubject":{"a":1}}`), want{ReasonTypeMissing, "/verifiableCredential/type"}},
		{"vc is presentation", set("verifiableCredential", `[{"@context":`+v2+`,"id":"data:application/vp+jwt,a.b.c","type":"EnvelopedVerifiablePresentation"}]`), want{ReasonVCInvalid, "/verifiableCredential/0/type"}},
		{"vc embedded invalid", set("verifiableCredential", `[{"@context":[`+v2+`],"type":"VerifiableCredential","issuer":"did:example:i","credentialSubject":{}}]`), want{ReasonSubjectEmpty, "/verifiableCredential/0/credentialSubject"}},
		{"vc embedded no issuer", set("verifiableCredential", `[{"@context":[`+v2+`],"type":"VerifiableCredential","credentialSubject":{"a":1}}]`), want{ReasonIssuerMissing, "/verifiableCredential/0/issuer"}},
		{"vc embedded context independent", all(set("@context", `[`+v2+`,"https://www.w3.org/ns/credentials/examples/v2"]`), set("verifiableCredential", `[{"@context":[`+v2+`],"type":["VerifiableCredential","Example"],"issuer":"did:example:i","credentialSubject":{"a":1}}]`)), want{ReasonTypeUnmapped, "/verifiableCredential/0/type/1"}},
		{"enveloped bad url", set("verifiableCredential", `[{"@context":`+v2+`,"id":"https://ex.org/vc/1","type":"EnvelopedVerifiableCredential"}]`), want{ReasonEnvelopedInvalid, "/verifiableCredential/0/id"}},
		{"enveloped no id", set("verifiableCredential", `[{"@context":`+v2+`,"type":"EnvelopedVerifiableCredential"}]`), want{ReasonEnvelopedInvalid, "/verifiableCredential/0/id"}},
		{"enveloped no context", set("verifiableCredential", `[{"id":"data:application/vc+jwt,a.b.c","type":"EnvelopedVerifiableCredential"}]`), want{ReasonContextMissing, "/verifiableCredential/0/@context"}},
		{"enveloped wrong context", set("verifiableCredential", `[{"@context":"https://www.w3.org/2018/credentials/v1","id":"data:application/vc+jwt,a.b.c","type":"EnvelopedVerifiableCredential"}]`), want{ReasonContextFirstNotV2, "/verifiableCredential/0/@context"}},
		{"enveloped extra claims", set("verifiableCredential", `[{"@context":`+v2+`,"id":"data:application/vc+jwt,a.b.c","type":"EnvelopedVerifiableCredential","credentialSubject":{"a":1}}]`), want{ReasonEnvelopedInvalid, "/verifiableCredential/0/credentialSubject"}},
		{"enveloped also VC", set("verifiableCredential", `[{"@context":`+v2+`,"id":"data:application/vc+jwt,a.b.c","type":["VerifiableCredential","EnvelopedVerifiableCredential"]}]`), want{ReasonEnvelopedInvalid, "/verifiableCredential/0/type"}},
		{"termsOfUse no type", set("termsOfUse", `{"id":"https://t.example/1"}`), want{ReasonTypePropertyMissing, "/termsOfUse/type"}},
		{"proof no type", set("proof", `[{"type":"DataIntegrityProof"},{"cryptosuite":"eddsa-rdfc-2022"}]`), want{ReasonTypePropertyMissing, "/proof/1/type"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := loadDoc(t, "presentation.json")
			tc.mutate(doc)
			p, err := PresentationFromMap(doc)
			if p != nil {
				t.Error("non-nil presentation with error")
			}
			checkReason(t, err, tc.want)
		})
	}
	p, err := PresentationFromMap(nil)
	if p != nil {
		t.Error("non-nil presentation")
	}
	checkReason(t, err, want{ReasonNotObject, ""})
}

func TestPresentationAccepts(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(map[string]any)
	}{
		{"minimal", all(del("id"), del("holder"), del("verifiableCredential"))},
		{"holder object", set("holder", `{"id":"did:web:holder.example","name":"บริษัท ตัวอย่าง จำกัด"}`)},
		{"single embedded object", set("verifiableCredential", `{"@context":[`+v2+`],"type":"VerifiableCredential","issuer":"did:example:i","credentialSubject":{"a":1}}`)},
		{"enveloped array type and context", set("verifiableCredential", `[{"@context":[`+v2+`],"id":"data:application/dc+sd-jwt,a.b.c~","type":["EnvelopedVerifiableCredential"]}]`)},
		{"enveloped base64url", set("verifiableCredential", `[{"@context":`+v2+`,"id":"data:application/vc-ld+jwt;base64url,a.b.c","type":"EnvelopedVerifiableCredential"}]`)},
		{"proof", set("proof", `{"type":"DataIntegrityProof","cryptosuite":"eddsa-rdfc-2022","challenge":"n-0S6_WzA2Mj","domain":"https://verifier.example"}`)},
		{"type string", set("type", `"VerifiablePresentation"`)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := loadDoc(t, "presentation.json")
			tc.mutate(doc)
			if _, err := PresentationFromMap(doc); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestCheckSelfAsserted(t *testing.T) {
	doc := loadDoc(t, "presentation.json")
	delete(doc, "holder")
	p, err := PresentationFromMap(doc)
	if err != nil {
		t.Fatal(err)
	}
	checkReason(t, p.CheckSelfAsserted(1), want{ReasonHolderMissing, "/holder"})

	doc = loadDoc(t, "presentation.json")
	doc["holder"] = map[string]any{"id": "did:example:someone-else"}
	p, err = PresentationFromMap(doc)
	if err != nil {
		t.Fatal(err)
	}
	checkReason(t, p.CheckSelfAsserted(1), want{ReasonIssuerNotHolder, "/verifiableCredential/1/issuer"})
}
