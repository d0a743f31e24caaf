package holder

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/thaitrust/thaitrust/signing"
)

// FuzzSealedRecord writes arbitrary bytes as a record: opening it fails
// with ErrCorrupted (only Seal's output under the wallet key opens).
func FuzzSealedRecord(f *testing.F) {
	s, err := CreateDir(filepath.Join(f.TempDir(), "w"), []byte("fuzz passphrase"), CreateOptions{KDF: signing.KDFParams{Time: 1, MemoryKiB: 64, Threads: 1}})
	if err != nil {
		f.Fatal(err)
	}
	if err := s.PutCredential(context.Background(), &Credential{ID: "seed", Format: FormatSDJWT}); err != nil {
		f.Fatal(err)
	}
	f.Add([]byte("TTW1"))
	f.Add([]byte("TTW1012345678901234567890123456789"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var c Credential
		if err := s.decode(kindCredential, "seed", data, &c); err == nil {
			t.Fatal("arbitrary bytes opened as a record")
		}
	})
}

// FuzzSplitBackup reads arbitrary backup text: an error, or a header and
// a body.
func FuzzSplitBackup(f *testing.F) {
	f.Add([]byte(backupBegin + "\n{}\nAAAA\n" + backupEnd + "\n"))
	f.Add([]byte(backupBegin + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		h, b, err := splitBackup(data)
		if err != nil && (h != nil || b != nil) {
			t.Fatal("a result with an error")
		}
	})
}
