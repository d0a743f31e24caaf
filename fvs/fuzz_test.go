package fvs_test

import (
	"encoding/json"
	"testing"

	"github.com/thaitrust/thaitrust/fvs"
	"github.com/thaitrust/thaitrust/fvs/fvstest"
)

func FuzzParseAttestation(f *testing.F) {
	f.Add("eyJhbGciOiJFZERTQSIsInR5cCI6ImZ2cy1hdHRlc3RhdGlvbitqd3QifQ.e30.AAAA")
	f.Add("a.b.c")
	f.Fuzz(func(t *testing.T, token string) {
		p, a, err := fvs.ParseAttestation(token)
		if err != nil && (p != nil || a != nil) {
			t.Fatal("error with a result")
		}
		if err == nil && (a.Issuer == "" || a.Nonce == "" || a.HolderKeyThumbprint == "") {
			t.Fatalf("parsed without required claims: %+v", a)
		}
	})
}

func FuzzParseCalibration(f *testing.F) {
	b, _ := json.Marshal(fvstest.FakeCalibration())
	f.Add(b)
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := fvs.ParseCalibration(data)
		if err != nil {
			if c != nil {
				t.Fatal("error with a result")
			}
			return
		}
		// A valid calibration gives FMRs within [floor, 1], monotone.
		prev := 0.0
		for d := 0.0; d < 2; d += 0.05 {
			f := c.FMR(d)
			if f < c.FMRFloor()*0.999 || f > 1 || f < prev*0.999 {
				t.Fatalf("FMR(%v) = %v (prev %v)", d, f, prev)
			}
			prev = f
		}
	})
}
