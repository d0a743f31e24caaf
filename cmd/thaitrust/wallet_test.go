package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/thaitrust/thaitrust/holder"
	"github.com/thaitrust/thaitrust/holder/holdertest"
	"github.com/thaitrust/thaitrust/signing"
)

var updateWalletFixture = flag.Bool("update-wallet-fixture", false, "rewrite the wallet backup in testdata/wallet*.txt")

// Fixture of the wallet scripts (testdata/wallet*.txt): a backup, under
// fixtureBackupPassphrase, of a wallet holding a degree (dc+sd-jwt), a
// citizen identity (jwt_vc_json), a batch of two transcripts (dc+sd-jwt)
// and two log entries. It is made with weak Argon2id parameters, so that
// the scripts run fast; never do that with a real backup.
const (
	fixtureFile             = "fixture.backup"
	fixtureBackupPassphrase = "fixture backup passphrase"
)

func makeFixture(t *testing.T) []byte {
	ctx := context.Background()
	store := holdertest.NewMemoryStore()
	w, err := holder.New(ctx, holder.Config{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	m := holdertest.NewMinter(t)
	uni := map[string]string{"th": "มหาวิทยาลัยธารทอง", "en": "Than Thong University"}
	dopa := map[string]string{"th": "กรมการปกครอง", "en": "Department of Provincial Administration"}
	add := func(id, batch, typ, format string, name map[string]string, received time.Time) {
		key, s := holdertest.NewKey(t)
		c := &holder.Credential{ID: id, Batch: batch, Format: format, IssuerName: name, ReceivedAt: received,
			IssuerURL: "https://thaitrust.example/issuers/university"}
		if format == holder.FormatSDJWT {
			c.Raw = m.SDJWT(t, typ, s.Public())
		} else {
			c.Raw = m.JWT(t, typ, s.Public())
		}
		key.ID = "key-" + id
		if err := w.Add(ctx, c, key); err != nil {
			t.Fatal(err)
		}
	}
	e := holdertest.Epoch
	add("degree00000001", "", "DegreeCredential", holder.FormatSDJWT, uni, e)
	add("citizen0000001", "", "ThaiCitizenCredential", holder.FormatJWTVC, dopa, e.Add(time.Hour))
	add("transcript0001", "transcripts001", "TranscriptCredential", holder.FormatSDJWT, uni, e.Add(2*time.Hour))
	add("transcript0002", "transcripts001", "TranscriptCredential", holder.FormatSDJWT, uni, e.Add(2*time.Hour))
	employer := holder.Verifier{ClientID: "decentralized_identifier:did:web:employer.thaitrust.example", DID: "did:web:employer.thaitrust.example",
		Name: map[string]string{"": "Siam Employer Co., Ltd.", "th": "บริษัท สยามนายจ้าง จำกัด"}}
	logs := []*holder.LogEntry{
		{ID: "log00000000001", Time: e.Add(24 * time.Hour), Verifier: employer, Outcome: holder.OutcomeSent,
			Purpose: map[string]string{"th": "ตรวจสอบวุฒิการศึกษาเพื่อสมัครงาน", "en": "checking your degree for a job application"},
			Credentials: []holder.LoggedCredential{{CredentialID: "degree00000001", QueryID: "degree", Type: "DegreeCredential",
				Title: map[string]string{"th": "ปริญญาบัตร", "en": "Degree Certificate"}, Issuer: m.DID, Format: holder.FormatSDJWT,
				Disclosed: []string{"/student/studentId"}, Visible: []string{"/award/name", "/institution/name", "/student/name/th/given"}}}},
		{ID: "log00000000002", Time: e.Add(48 * time.Hour), Verifier: holder.Verifier{ClientID: "decentralized_identifier:did:web:bank.example", DID: "did:web:bank.example"},
			Outcome: holder.OutcomeDeclined, Purpose: map[string]string{"en": "opening an account"},
			Credentials: []holder.LoggedCredential{{CredentialID: "citizen0000001", Type: "ThaiCitizenCredential", Format: holder.FormatJWTVC, Visible: []string{"/credentialSubject/pid"}}}},
	}
	for _, l := range logs {
		if err := store.PutLog(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := holder.Export(ctx, store, &buf, []byte(fixtureBackupPassphrase), holder.ExportOptions{KDF: signing.KDFParams{Time: 1, MemoryKiB: 64, Threads: 1}}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestWalletFixture checks the backup embedded in the wallet scripts
// still imports and holds what they expect; -update-wallet-fixture makes
// a new one and writes it into every testdata/wallet*.txt.
func TestWalletFixture(t *testing.T) {
	files, err := filepath.Glob("testdata/wallet*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no wallet scripts: %v", err)
	}
	var fresh []byte
	if *updateWalletFixture {
		fresh = makeFixture(t)
	}
	for _, f := range files {
		a, err := txtar.ParseFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i := range a.Files {
			if a.Files[i].Name != fixtureFile {
				continue
			}
			if fresh != nil {
				a.Files[i].Data = fresh
				if err := os.WriteFile(f, txtar.Format(a), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			ctx := context.Background()
			store := holdertest.NewMemoryStore()
			n, err := holder.Import(ctx, bytes.NewReader(a.Files[i].Data), []byte(fixtureBackupPassphrase), store)
			if err != nil {
				t.Fatalf("%s: %v (regenerate with go test -run TestWalletFixture -update-wallet-fixture)", f, err)
			}
			if n != (holder.BackupCounts{Credentials: 4, Keys: 4, Log: 2}) {
				t.Errorf("%s: fixture holds %+v", f, n)
			}
		}
	}
}

// walletRun runs the thaitrust command with the wallet passphrase set.
func walletRun(t *testing.T, stdin string, extraEnv map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	vars := map[string]string{envWalletPassphrase: "correct horse battery staple", envUnsafeKDF: "1"}
	for k, v := range extraEnv {
		vars[k] = v
	}
	code = run(context.Background(), &env{
		stdin: strings.NewReader(stdin), stdout: &o, stderr: &e,
		getenv: func(k string) string { return vars[k] },
	}, args)
	return code, o.String(), e.String()
}

// TestWalletReceivePresent drives receive and present through the CLI
// against the virtual issuer and verifier of holdertest.
func TestWalletReceivePresent(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "w")
	if code, _, stderr := walletRun(t, "", nil, "wallet", "--dir", dir, "init"); code != 0 {
		t.Fatalf("init: %d %s", code, stderr)
	}
	is := holdertest.NewIssuer(t, "university")
	offer := is.Offer(t, []string{"DegreeCredential.sd_jwt"}, holdertest.OfferOptions{TxCode: "123456"})
	// The transaction code typed on stdin.
	code, stdout, stderr := walletRun(t, "123456\n", nil, "wallet", "--dir", dir, "receive", offer, "--batch", "2")
	if code != 0 {
		t.Fatalf("receive: %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "มหาวิทยาลัยธารทอง") || strings.Count(stdout, "ได้รับ") != 2 || !strings.Contains(stderr, "SMS") {
		t.Errorf("receive output:\n%s\n%s", stdout, stderr)
	}

	v := holdertest.NewVerifier(t, "employer")
	query := `{"credentials":[{"id":"degree","format":"dc+sd-jwt","meta":{"vct_values":["https://thaitrust.example/vct/DegreeCredential"]},
		"claims":[{"path":["award","name"]},{"path":["student","studentId"]}]}]}`
	purpose := map[string]string{"th": "ตรวจสอบวุฒิการศึกษา", "en": "checking your degree"}

	// Declined at the prompt: the verifier hears access_denied.
	uri, vr := v.Request(t, query, purpose)
	code, stdout, _ = walletRun(t, "n\n", nil, "wallet", "--dir", dir, "present", uri)
	if code != 1 || !strings.Contains(stdout, "ปฏิเสธแล้ว") {
		t.Fatalf("declined present: %d\n%s", code, stdout)
	}
	if got := v.Result(vr.ID); got.Form.Get("error") != "access_denied" {
		t.Errorf("verifier got %v", got.Form)
	}
	// The consent screen said who, why and what.
	for _, want := range []string{"บริษัท สยามนายจ้าง จำกัด", v.DID, "ตรวจสอบวุฒิการศึกษา", "รหัสนักศึกษา: 6230123421", "ข้อมูลที่ส่งไปด้วยเสมอ"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("consent screen lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "1103701234563") {
		t.Errorf("the consent screen shows a claim that is not sent (pid):\n%s", stdout)
	}

	// Approved with --yes, in English.
	uri, vr = v.Request(t, query, purpose)
	code, stdout, stderr = walletRun(t, "", nil, "wallet", "--dir", dir, "present", uri, "--yes", "--lang", "en")
	if code != 0 {
		t.Fatalf("present --yes: %d\n%s\n%s", code, stdout, stderr)
	}
	if got := v.Result(vr.ID); got.Err != nil || got.Claims["degree"] == nil {
		t.Fatalf("verifier: %v", got.Err)
	}
	if !strings.Contains(stdout, "Sent") || !strings.Contains(stdout, "student › student ID: 6230123421") {
		t.Errorf("present output:\n%s", stdout)
	}

	// The log lists both, newest first, without values.
	code, stdout, _ = walletRun(t, "", nil, "wallet", "--dir", dir, "log", "--lang", "en")
	if code != 0 || strings.Count(stdout, v.DID) != 2 || !strings.Contains(stdout, "declined") || !strings.Contains(stdout, "sent") ||
		!strings.Contains(stdout, "disclosed: student › student ID") || strings.Contains(stdout, "6230123421") {
		t.Errorf("log: %d\n%s", code, stdout)
	}
	if regexp.MustCompile(`sent[\s\S]*declined`).FindString(stdout) == "" {
		t.Errorf("log not newest first:\n%s", stdout)
	}

	// Nothing matches: exit 1, nothing sent.
	uri, vr = v.Request(t, `{"credentials":[{"id":"pid","format":"dc+sd-jwt","meta":{"vct_values":["https://thaitrust.example/vct/ThaiCitizenCredential"]}}]}`, nil)
	code, stdout, _ = walletRun(t, "", nil, "wallet", "--dir", dir, "present", uri, "--yes")
	if code != 1 || !strings.Contains(stdout, "ไม่มีเอกสาร") || v.Result(vr.ID).Form != nil {
		t.Errorf("no match: %d\n%s", code, stdout)
	}
	// An unsigned request is refused with a clear reason.
	code, _, stderr = walletRun(t, "", nil, "wallet", "--dir", dir, "present", "openid4vp://?client_id=x&response_type=vp_token")
	if code != 3 || !strings.Contains(stderr, "client_id_unsupported") {
		t.Errorf("unsigned: %d %s", code, stderr)
	}
}
