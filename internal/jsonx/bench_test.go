package jsonx

import (
	"bytes"
	"encoding/json"
	"os"
	"testing"
	"time"
)

func benchInput(b *testing.B) []byte {
	b.Helper()
	data, err := os.ReadFile("testdata/credential.json")
	if err != nil {
		b.Fatal(err)
	}
	return data
}

func parseJSONX(b *testing.B, data []byte) {
	b.Helper()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

// stdDecoderUseNumber is the baseline named in the design contract:
// json.Decoder with UseNumber into an any.
func stdDecoderUseNumber(b *testing.B, data []byte) {
	b.Helper()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			b.Fatal(err)
		}
	}
}

func stdUnmarshal(b *testing.B, data []byte) {
	b.Helper()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		var v any
		if err := json.Unmarshal(data, &v); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParse runs jsonx and encoding/json side by side on a 2.8 KB
// credential with Thai text.
func BenchmarkParse(b *testing.B) {
	data := benchInput(b)
	b.Run("jsonx", func(b *testing.B) { parseJSONX(b, data) })
	b.Run("encoding_json_decoder_usenumber", func(b *testing.B) { stdDecoderUseNumber(b, data) })
	b.Run("encoding_json_unmarshal", func(b *testing.B) { stdUnmarshal(b, data) })
}

// BenchmarkSpeedup measures jsonx and both encoding/json baselines in the
// same run and reports how many times faster jsonx is (target: >= 3). The
// three alternate in blocks of 256 calls, so that drifting machine load
// hits all of them alike while each mostly pays for its own garbage
// collection. Its ns/op is the cost of one call of each, not a result.
func BenchmarkSpeedup(b *testing.B) {
	data := benchInput(b)
	const block = 256
	var ours, dec, unm time.Duration
	calls := 0
	for b.Loop() {
		t0 := time.Now()
		for range block {
			if _, err := Parse(data); err != nil {
				b.Fatal(err)
			}
		}
		t1 := time.Now()
		for range block {
			d := json.NewDecoder(bytes.NewReader(data))
			d.UseNumber()
			var v any
			if err := d.Decode(&v); err != nil {
				b.Fatal(err)
			}
		}
		t2 := time.Now()
		for range block {
			var v any
			if err := json.Unmarshal(data, &v); err != nil {
				b.Fatal(err)
			}
		}
		t3 := time.Now()
		ours += t1.Sub(t0)
		dec += t2.Sub(t1)
		unm += t3.Sub(t2)
		calls += block
	}
	b.ReportMetric(float64(ours.Nanoseconds())/float64(calls), "jsonx-ns/op")
	b.ReportMetric(float64(dec.Nanoseconds())/float64(calls), "decoder-ns/op")
	b.ReportMetric(float64(unm.Nanoseconds())/float64(calls), "unmarshal-ns/op")
	b.ReportMetric(float64(dec)/float64(ours), "x-vs-decoder")
	b.ReportMetric(float64(unm)/float64(ours), "x-vs-unmarshal")
}

// BenchmarkResultFloor builds the same result as Parse (exactly sized maps
// and slices, strings boxed from one shared copy) from an already decoded
// value, without any parsing. It is the cost of allocating the result types
// the API promises, which no map[string]any parser can go below; compare it
// with BenchmarkParse/jsonx to see what the parsing itself costs.
func BenchmarkResultFloor(b *testing.B) {
	data := benchInput(b)
	v, err := Parse(data)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		rebuild(v)
	}
}

func rebuild(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = rebuild(e)
		}
		return m
	case []any:
		a := make([]any, len(x))
		for i, e := range x {
			a[i] = rebuild(e)
		}
		return a
	case string:
		return x[0:]
	default:
		return x
	}
}
