package compile

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// referenceFormats are the reference validator's checks of the standard
// formats, through a schema {"format": name} with format assertion on.
var referenceFormats = func() map[string]func(string) bool {
	out := map[string]func(string) bool{}
	for name := range standardFormats {
		c := jsonschema.NewCompiler()
		c.DefaultDraft(jsonschema.Draft2020)
		c.AssertFormat()
		url := "https://thaitrust.example/format/" + name + ".json"
		if err := c.AddResource(url, map[string]any{"format": name}); err != nil {
			panic(err)
		}
		sch := c.MustCompile(url)
		out[name] = func(s string) bool { return sch.Validate(s) == nil }
	}
	return out
}()

var formatCorpus = []string{
	"", " ", "x", "2024-05-20", "2024-02-29", "2023-02-29", "2024-02-30", "2024-13-01", "2024-00-10", "2024-01-00",
	"0000-01-01", "0000-02-29", "0100-02-29", "0400-02-29", "9999-12-31", "2024-5-20", "24-05-20", "2024-05-20 ",
	"2024/05/20", "+024-05-20", "-024-05-20", "2024-+5-20", "2024-05-+2", "２０２４-05-20", "2024-05-2\u0661",
	"2024-05-20T09:14:00Z", "2024-05-20T09:14:00+07:00", "2024-05-20t09:14:00z", "2024-12-31T23:59:60Z",
	"2024-05-20T09:14:60Z", "2024-05-20T+1:00:00Z", "2024-05-20T-0:00:00Z", "2024-05-20T09:14:00.5-00:00",
	"2024-05-20T09:14:00.Z", "2024-05-20T09:14:00+0700", "2024-05-20T24:00:00Z", "2024-05-20T09:14:00",
	"2024-12-31T16:59:60-07:00", "2024-12-31T16:59:60+07:00", "2024-12-31T23:59:60+00:00", "2024-05-20T09:14:00+23:59",
	"2024-05-20T09:14:00-23:59", "2024-05-20T09:14:00+24:00", "2024-05-20T09:14:00+07:60", "2024-05-20T09:14:00+-7:00",
	"2024-05-20T09:14:00++7:00", "2024-05-20T09:14:00+07::0", "2024-05-20T:9:14:00Z", "2024-05-20T09::4:00Z",
	"2024-05-20T09:14:00.123456789Z", "2024-05-20T09:14:00.1a", "2024-05-20X09:14:00Z", "2024-05-20T9:14:00Z",
	"https://x.example/a", "http://[::1]/", "http://[::1%25en0]/", "http://[fe80::1%25en0]:8080/", "http://[1.2.3.4]/",
	"http://[::ffff:1.2.3.4]/", "http://a:b@c/", "http://a:1:2/", "http://a:x/", "http://a:80/p?q#f", "http://a:/",
	"did:web:x", "did:web:x\r", "did:web:x\u2028", "did:web:x y", "did:web:x\n", "did:web:", "did:", "urn:uuid:x",
	"relative", "//x/y", "/abs/path", "http://x/%zz", "http://x/%41", "mailto:a@b", "HTTP://X", "a:b", "1a:b", ":x",
	"x:", "http://exa mple/", "http://x/\x7f", "http://x/#\n", "http://x/#%zz", "http://x/?%zz", "http://%41/",
	"http://a_b.example/", "ftp://[::1]:21/x", "http://[::1]:x/", "http://[::1]x/", "http://[::1/", "http://::1/",
	"http://a]b/", "http://a[b/", "http://x@y@z/", "http://x%40@y/", "http://us%zzer@y/", "http://x/a b", "a+b.c-d:x",
	"http://x?a#b", "http:", "http:/", "http://", "http:///x", "http:x", "x:/y", "x://", "x://y:", "x://y:1/",
	"postgres://a:1,b:2/db", "http://a:1,b:2/", "http://[::1]:1,b:2/", "http://ä/", "http://x/ä", "é:x", "x:é",
	"123e4567-e89b-12d3-a456-426614174000", "123E4567-E89B-12D3-A456-42661417400G", "123e4567e89b12d3a456426614174000",
	"123e4567-e89b-12d3-a456-4266141740000", "123e4567-e89b-12d3-a456_426614174000", "-23e4567-e89b-12d3-a456-42661417400",
	"123e4567-e89b-12d3-a456--26614174000", "g23e4567-e89b-12d3-a456-426614174000",
}

func TestFormatsMatchReference(t *testing.T) {
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range standardFormats {
			if !yield(k) {
				return
			}
		}
	}) {
		for _, s := range formatCorpus {
			if got, want := standardFormats[name](s), referenceFormats[name](s); got != want {
				t.Errorf("%s %q: %v, reference %v", name, s, got, want)
			}
		}
	}
}

// TestDateMatchesTimeParse: isDate is time.Parse("2006-01-02", s) on
// every year/month/day combination of interest.
func TestDateMatchesTimeParse(t *testing.T) {
	for _, y := range []string{"0000", "0001", "0004", "0100", "0400", "1900", "2000", "2023", "2024", "9999"} {
		for m := 0; m <= 13; m++ {
			for d := 0; d <= 32; d++ {
				s := fmt.Sprintf("%s-%02d-%02d", y, m, d)
				_, err := time.Parse("2006-01-02", s)
				if got := isDate(s); got != (err == nil) {
					t.Errorf("isDate(%q) = %v, time.Parse error %v", s, got, err)
				}
			}
		}
	}
}

func TestURIFastMatchesSlow(t *testing.T) {
	for _, s := range formatCorpus {
		if ok, decided := uriFast(s); decided && ok != uriSlow(s) {
			t.Errorf("uriFast(%q) = %v, uriSlow %v", s, ok, uriSlow(s))
		}
	}
	// The common shapes are decided without net/url.
	for _, s := range []string{"https://thaitrust.example/schemas/x.json", "did:web:ttu.thaitrust.example", "urn:uuid:1", "http://localhost:8080/x?y#z"} {
		if ok, decided := uriFast(s); !ok || !decided {
			t.Errorf("uriFast(%q) = %v, %v", s, ok, decided)
		}
	}
}

func TestFormatsDoNotAllocate(t *testing.T) {
	for _, s := range []string{"2024-05-20", "2024-05-20T09:14:00+07:00", "https://thaitrust.example/x", "did:web:x", "123e4567-e89b-12d3-a456-426614174000"} {
		for name, f := range standardFormats {
			if n := testing.AllocsPerRun(100, func() { f(s) }); n != 0 {
				t.Errorf("%s(%q): %v allocations", name, s, n)
			}
		}
	}
}

func FuzzFormats(f *testing.F) {
	for _, s := range formatCorpus {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for name, check := range standardFormats {
			if got, want := check(s), referenceFormats[name](s); got != want {
				t.Fatalf("%s %q: %v, reference %v", name, s, got, want)
			}
		}
		if ok, decided := uriFast(s); decided && ok != uriSlow(s) {
			t.Fatalf("uriFast(%q) = %v, uriSlow %v", s, ok, uriSlow(s))
		}
		if len(s) >= 10 {
			_, err := time.Parse("2006-01-02", s[:10])
			if isDate(s[:10]) != (err == nil) {
				t.Fatalf("isDate(%q) = %v, time.Parse error %v", s[:10], isDate(s[:10]), err)
			}
		}
	})
}
