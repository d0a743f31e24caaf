package status

import (
	"bytes"
	"github.com/thaitrust/thaitrust/internal/jsonx"
	"testing"
)

func FuzzDecodeTokenList(f *testing.F) {
	f.Add(1, "eNrbuRgAAhcBXQ")
	f.Add(2, "eNo76fITAAPfAgc")
	f.Add(8, "eNo66fITEAAA__8D3wIH")
	f.Add(3, "")
	f.Fuzz(func(t *testing.T, bits int, lst string) {
		l, err := DecodeTokenList(bits, lst)
		if err != nil {
			if l != nil {
				t.Fatalf("DecodeTokenList(%d, %q) returned a list with error %v", bits, lst, err)
			}
			return
		}
		if l.Len() < 1 || len(l.Bytes()) > MaxTokenListBytes || l.Bits() != bits {
			t.Fatalf("accepted a list of %d statuses of %d bits", l.Len(), l.Bits())
		}
		enc, err := EncodeTokenList(bits, func(i int) uint8 { return l.get(i) }, l.Len())
		if err != nil {
			t.Fatal(err)
		}
		l2, err := DecodeTokenList(bits, enc)
		if err != nil || !bytes.Equal(l.Bytes(), l2.Bytes()) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

// FuzzTokenRef: ParseTokenRef never panics, and an error means no ref.
func FuzzTokenRef(f *testing.F) {
	f.Add(`{"status_list":{"idx":0,"uri":"https://example.com/statuslists/1"}}`)
	f.Add(`{"status_list":{"idx":1e3,"uri":"a:b"}}`)
	f.Fuzz(func(t *testing.T, s string) {
		v, err := parseJSONForFuzz(s)
		if err != nil {
			return
		}
		ref, err := ParseTokenRef(v)
		if err != nil && ref != (TokenRef{}) {
			t.Fatalf("error %v with ref %+v", err, ref)
		}
		if err == nil && (ref.Index < 0 || ref.URI == "") {
			t.Fatalf("bad ref %+v", ref)
		}
	})
}

func parseJSONForFuzz(s string) (any, error) { return jsonxParse([]byte(s)) }

var jsonxParse = jsonx.Parse
