package holder_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/thaitrust/thaitrust/holder"
	"github.com/thaitrust/thaitrust/holder/holdertest"
)

// TestDelegationWallet: the wallet reads the verifier's delegation
// parameter (what the holder is asked to act for), and sends the chain
// attached to the consent as delegation_chain for the delegation's
// credential query.
func TestDelegationWallet(t *testing.T) {
	ctx := context.Background()
	w := liveWallet(t, holdertest.NewMemoryStore())
	m := holdertest.NewMinter(t)
	m.Add(t, w, "ThaiCitizenCredential", holder.FormatSDJWT)
	// A vc+jwt to send as the chain above the holder's credential.
	other := liveWallet(t, holdertest.NewMemoryStore())
	link := m.Add(t, other, "ThaiCitizenCredential", holder.FormatJWTVC).Raw
	v := newFaceVerifier(t)
	demand := map[string]any{"credential_id": "citizen", "acting_for": "0105562034122", "action": "rd.vat.file",
		"amount": map[string]any{"value": "45000", "currency": "THB"}}

	uri, _ := v.request(map[string]any{holder.ParamDelegation: demand})
	req, err := w.ResolveRequest(ctx, uri)
	if err != nil {
		t.Fatal(err)
	}
	want := &holder.Delegation{CredentialID: "citizen", ActingFor: "0105562034122", Action: "rd.vat.file",
		Amount: &holder.Amount{Value: "45000", Currency: "THB"}}
	if !reflect.DeepEqual(req.Delegation, want) {
		t.Fatalf("Delegation %+v", req.Delegation)
	}
	consent, err := w.Prepare(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if err := consent.AttachDelegationChain([]string{"not a credential"}); holder.Reason(err) != holder.ReasonRequestInvalid {
		t.Errorf("a chain that does not parse: %v", err)
	}
	if err := consent.AttachDelegationChain([]string{link}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Respond(ctx, consent); err != nil {
		t.Fatal(err)
	}
	forms := v.posted()
	var got map[string][]string
	if len(forms) != 1 || json.Unmarshal([]byte(forms[0].Get(holder.ParamDelegationChain)), &got) != nil ||
		!reflect.DeepEqual(got, map[string][]string{"citizen": {link}}) {
		t.Fatalf("posted %v", forms)
	}

	// No delegation asked for: nothing to attach.
	uri, _ = v.request(nil)
	if req, err = w.ResolveRequest(ctx, uri); err != nil {
		t.Fatal(err)
	}
	if consent, err = w.Prepare(ctx, req); err != nil {
		t.Fatal(err)
	}
	if err := consent.AttachDelegationChain([]string{link}); holder.Reason(err) != holder.ReasonRequestInvalid {
		t.Errorf("attached to a request without delegation: %v", err)
	}

	// Malformed demands are refused with the request.
	for name, d := range map[string]any{
		"unknown query":  map[string]any{"credential_id": "poa", "action": "rd.vat.file"},
		"no action":      map[string]any{"credential_id": "citizen"},
		"not an object":  "rd.vat.file",
		"amount partial": map[string]any{"credential_id": "citizen", "action": "a", "amount": map[string]any{"value": "1"}},
	} {
		uri, _ := v.request(map[string]any{holder.ParamDelegation: d})
		if _, err := w.ResolveRequest(ctx, uri); holder.Reason(err) != holder.ReasonRequestInvalid {
			t.Errorf("%s: %v", name, err)
		}
	}
}
