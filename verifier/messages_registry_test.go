package verifier

import (
	"strings"
	"testing"
)

// Every registry reason has its own sentences in English and Thai (not
// the generic "Verification failed (reason)").
func TestRegistryMessages(t *testing.T) {
	for reason := range registryMessages {
		en, th := Message(reason)
		if en == "" || th == "" || strings.Contains(en, "("+reason+")") || strings.Contains(th, "("+reason+")") {
			t.Errorf("%s: %q / %q", reason, en, th)
		}
		if !strings.ContainsFunc(th, func(r rune) bool { return r >= 0x0E00 && r <= 0x0E7F }) {
			t.Errorf("%s: the Thai message has no Thai: %q", reason, th)
		}
	}
}
