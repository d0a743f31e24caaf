package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/thaitrust/thaitrust/holder"
	"github.com/thaitrust/thaitrust/internal/fsx"
	"github.com/thaitrust/thaitrust/signing"
)

var cmdWallet = &command{
	name:  "wallet",
	usage: "wallet [--dir DIR] init | receive URI [--tx-code CODE] [--batch N] | list | show ID [--lang th|en] | present URI [--yes] [--use ID] | log | delete ID | export FILE | import FILE",
	brief: "the document wallet: receive credentials (OpenID4VCI), show them, present them with consent (OpenID4VP), read the disclosure log",
}

// Environment variables of the wallet command.
const (
	envWalletDir        = "THAITRUST_WALLET"
	envWalletPassphrase = "THAITRUST_WALLET_PASSPHRASE"
	envBackupPassphrase = "THAITRUST_WALLET_BACKUP_PASSPHRASE"
	// envUnsafeKDF, set to 1, gives wallets and backups made by init,
	// import and export Argon2id parameters that cost nothing to attack.
	// It exists so that the CLI tests do not spend seconds per command.
	envUnsafeKDF     = "THAITRUST_WALLET_UNSAFE_TEST_KDF"
	defaultWalletDir = "thaitrust-wallet"
)

const walletHelp = `Subcommands:
  init                        create an encrypted wallet in DIR
  receive URI                 receive credentials from an openid-credential-offer:// URI
      --tx-code CODE            the transaction code the issuer sent you (asked for when needed)
      --batch N                 copies to receive, each with its own key (default 1)
  list                        list the credentials
  show ID                     show a credential (ID or a unique prefix of at least 4 characters)
      --lang th|en              language of labels (default th)
  present URI                 answer an openid4vp:// request, after showing what would be sent
      --yes                     send without asking (non-interactive use)
      --use ID                  present this credential where several could answer (repeatable)
      --include-optional        also send the credentials the verifier marked optional
  log                         the disclosure log: who received which claims, when and why
  delete ID                   delete a credential (every copy of a batch) and its keys
  export FILE                 write an encrypted backup (passphrase from $` + envBackupPassphrase + ` or asked)
  import FILE                 create the wallet in DIR from a backup

Common flags (before or after the subcommand):
  --dir DIR                   wallet directory (default $` + envWalletDir + ` or ./` + defaultWalletDir + `)
  --json                      machine-readable output (list, show, log, receive, present)
  --lang th|en                language of labels (default th)

The wallet passphrase comes from $` + envWalletPassphrase + ` or is asked on stdin.
`

func init() {
	register(cmdWallet)
	cmdWallet.run = runWallet
}

// walletFlags are the flags every wallet subcommand accepts.
type walletFlags struct {
	dir, lang, txCode string
	asJSON, yes, opt  bool
	batch             int
	use               multiFlag
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

func walletFlagSet(e *env, f *walletFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("wallet", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: thaitrust %s\n\n%s\n\n%s", cmdWallet.usage, cmdWallet.brief, walletHelp)
	}
	fs.StringVar(&f.dir, "dir", "", "wallet directory")
	fs.StringVar(&f.lang, "lang", "th", "language: th or en")
	fs.BoolVar(&f.asJSON, "json", false, "JSON output")
	fs.StringVar(&f.txCode, "tx-code", "", "transaction code (receive)")
	fs.IntVar(&f.batch, "batch", 1, "copies to receive (receive)")
	fs.BoolVar(&f.yes, "yes", false, "present without asking (present)")
	fs.BoolVar(&f.opt, "include-optional", false, "include optional credentials (present)")
	fs.Var(&f.use, "use", "credential to present (present; repeatable)")
	return fs
}

// walletCLI is one run of the wallet command.
type walletCLI struct {
	e   *env
	f   walletFlags
	in  *bufio.Reader // stdin, shared by every prompt
	lng string
}

func runWallet(ctx context.Context, e *env, args []string) error {
	c := &walletCLI{e: e, in: bufio.NewReader(e.stdin)}
	fs := walletFlagSet(e, &c.f)
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("give a subcommand: init, receive, list, show, present, log, delete, export or import")
	}
	if c.f.lang != "th" && c.f.lang != "en" {
		return usagef("--lang must be th or en")
	}
	c.lng = c.f.lang
	if c.f.dir == "" {
		c.f.dir = e.getenv(envWalletDir)
	}
	if c.f.dir == "" {
		c.f.dir = defaultWalletDir
	}
	sub, rest := pos[0], pos[1:]
	need := func(n int, what string) error {
		if len(rest) != n {
			return usagef("usage: thaitrust wallet %s %s", sub, what)
		}
		return nil
	}
	switch sub {
	case "init":
		if err := need(0, ""); err != nil {
			return err
		}
		return c.init()
	case "receive":
		if err := need(1, "URI [--tx-code CODE] [--batch N]"); err != nil {
			return err
		}
		return c.receive(ctx, rest[0])
	case "list":
		if err := need(0, ""); err != nil {
			return err
		}
		return c.list(ctx)
	case "show":
		if err := need(1, "ID [--lang th|en]"); err != nil {
			return err
		}
		return c.show(ctx, rest[0])
	case "present":
		if err := need(1, "URI [--yes]"); err != nil {
			return err
		}
		return c.present(ctx, rest[0])
	case "log":
		if err := need(0, ""); err != nil {
			return err
		}
		return c.log(ctx)
	case "delete":
		if err := need(1, "ID"); err != nil {
			return err
		}
		return c.delete(ctx, rest[0])
	case "export":
		if err := need(1, "FILE"); err != nil {
			return err
		}
		return c.export(ctx, rest[0])
	case "import":
		if err := need(1, "FILE"); err != nil {
			return err
		}
		return c.importBackup(ctx, rest[0])
	}
	return usagef("unknown wallet subcommand %q", sub)
}

// readLine reads one line of stdin ("" and io.EOF at the end).
func (c *walletCLI) readLine() (string, error) {
	line, err := c.in.ReadString('\n')
	line = strings.TrimRight(line, "\r\n")
	if line != "" {
		return line, nil
	}
	if err == nil {
		return "", nil
	}
	return "", err
}

// secret returns the passphrase from the environment variable or a
// prompt; newOne applies the length rule of new passphrases.
func (c *walletCLI) secret(envName, prompt string, newOne bool) ([]byte, error) {
	p := c.e.getenv(envName)
	if p == "" {
		fmt.Fprint(c.e.stderr, prompt)
		line, err := c.readLine()
		if line == "" {
			if err != nil {
				return nil, fmt.Errorf("no passphrase given (set %s or type one)", envName)
			}
			return nil, usagef("the passphrase must not be empty")
		}
		p = line
	}
	if newOne && len(p) < minPassphrase {
		return nil, usagef("the passphrase must be at least %d characters", minPassphrase)
	}
	return []byte(p), nil
}

func (c *walletCLI) walletPassphrase(newOne bool) ([]byte, error) {
	return c.secret(envWalletPassphrase, "Wallet passphrase / รหัสผ่านกระเป๋าเอกสาร: ", newOne)
}

// open unlocks the wallet.
func (c *walletCLI) open(ctx context.Context) (*holder.Wallet, *holder.DirStore, error) {
	if _, err := os.Stat(c.f.dir); err != nil {
		return nil, nil, usagef("no wallet at %s (create one with 'thaitrust wallet --dir %s init')", c.f.dir, c.f.dir)
	}
	pass, err := c.walletPassphrase(false)
	if err != nil {
		return nil, nil, err
	}
	s, err := holder.OpenDir(c.f.dir, pass)
	clear(pass)
	switch {
	case errors.Is(err, holder.ErrWrongPassphrase):
		return nil, nil, fmt.Errorf("wrong passphrase for the wallet at %s / รหัสผ่านไม่ถูกต้อง", c.f.dir)
	case errors.Is(err, holder.ErrNotWallet):
		return nil, nil, usagef("%v", err)
	case err != nil:
		return nil, nil, err
	}
	w, err := holder.New(ctx, holder.Config{Store: s})
	if err != nil {
		return nil, nil, err
	}
	return w, s, nil
}

func (c *walletCLI) init() error {
	if ents, err := os.ReadDir(c.f.dir); err == nil && len(ents) > 0 {
		return fmt.Errorf("%s exists and is not empty; not creating a wallet there", c.f.dir)
	}
	pass, err := c.walletPassphrase(true)
	if err != nil {
		return err
	}
	if _, err := holder.CreateDir(c.f.dir, pass, holder.CreateOptions{KDF: c.kdf()}); err != nil {
		return err
	}
	fmt.Fprintf(c.e.stdout, "Created an encrypted wallet in %s\nสร้างกระเป๋าเอกสารที่เข้ารหัสแล้วที่ %s\n", c.f.dir, c.f.dir)
	return nil
}

func (c *walletCLI) receive(ctx context.Context, uri string) error {
	w, _, err := c.open(ctx)
	if err != nil {
		return err
	}
	o, err := w.ResolveOffer(ctx, uri)
	if err != nil {
		return err
	}
	if !c.f.asJSON {
		fmt.Fprintf(c.e.stdout, "%s %s\n", c.t("ข้อเสนอจาก", "Offer from"), c.pick(o.IssuerName, o.CredentialIssuer))
		for _, oc := range o.Credentials {
			fmt.Fprintf(c.e.stdout, "  - %s (%s)\n", c.pick(oc.Title, oc.ConfigurationID), oc.Format)
		}
	}
	code := c.f.txCode
	if o.TxCode != nil && code == "" {
		desc := o.TxCode.Description
		if desc == "" {
			desc = "the transaction code the issuer sent you / รหัสยืนยันที่ผู้ออกเอกสารส่งให้คุณ"
		}
		fmt.Fprintf(c.e.stderr, "%s: ", desc)
		if code, err = c.readLine(); code == "" {
			return usagef("the offer needs a transaction code (give --tx-code CODE): %v", err)
		}
	}
	creds, err := w.Accept(ctx, o, holder.ReceiveOptions{TxCode: code, Batch: c.f.batch})
	if err != nil {
		return err
	}
	if c.f.asJSON {
		var out []map[string]any
		for _, cr := range creds {
			out = append(out, map[string]any{"id": cr.ID, "batch": cr.Batch, "format": cr.Format, "type": cr.Type, "issuer": cr.Issuer})
		}
		return printJSON(c.e.stdout, out)
	}
	for _, cr := range creds {
		fmt.Fprintf(c.e.stdout, "%s %s  %s (%s)\n", c.t("ได้รับ", "Received"), cr.ID, c.pick(cr.Display.Name, cr.Type), cr.Format)
	}
	return nil
}

func (c *walletCLI) list(ctx context.Context) error {
	w, _, err := c.open(ctx)
	if err != nil {
		return err
	}
	cards := w.List(ctx)
	if c.f.asJSON {
		if cards == nil {
			cards = []holder.Summary{}
		}
		return printJSON(c.e.stdout, cards)
	}
	if len(cards) == 0 {
		fmt.Fprintln(c.e.stdout, "No credentials yet / ยังไม่มีเอกสารในกระเป๋า")
		return nil
	}
	tw := tabwriter.NewWriter(c.e.stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tเอกสาร / CREDENTIAL\tผู้ออก / ISSUER\tออกเมื่อ / ISSUED\tFORMAT")
	for _, s := range cards {
		extra := ""
		if len(s.Credentials) > 1 {
			extra = fmt.Sprintf("  ×%d", len(s.Credentials))
		}
		if s.Expired {
			extra += "  " + c.t("หมดอายุ", "EXPIRED")
		}
		fmt.Fprintf(tw, "%s\t%s / %s\t%s\t%s\t%s%s\n", s.ID, s.Title["th"], s.Title["en"],
			c.pick(s.IssuerName, s.Issuer), s.IssuedAt.Format("2006-01-02"), s.Format, extra)
	}
	return tw.Flush()
}

func (c *walletCLI) show(ctx context.Context, id string) error {
	w, _, err := c.open(ctx)
	if err != nil {
		return err
	}
	card, err := w.Show(ctx, id)
	if err != nil {
		return notFound(err)
	}
	if c.f.asJSON {
		return printJSON(c.e.stdout, card)
	}
	out := c.e.stdout
	other := "en"
	if c.lng == "en" {
		other = "th"
	}
	fmt.Fprintf(out, "%s (%s)\n", c.pick(card.Title, card.Type), card.Title[other])
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	row := func(th, en, v string) { fmt.Fprintf(tw, "  %s:\t%s\n", c.t(th, en), v) }
	row("รหัส", "ID", card.ID)
	issuer := card.Issuer
	if n := c.pick(card.IssuerName, ""); n != "" {
		issuer = n + " (" + card.Issuer + ")"
	}
	row("ผู้ออก", "Issuer", issuer)
	row("รูปแบบ", "Format", c.formatName(card.Format))
	if !card.IssuedAt.IsZero() {
		row("ออกเมื่อ", "Issued", c.date(card.IssuedAt))
	}
	if card.ValidUntil.IsZero() {
		row("ใช้ได้ถึง", "Valid until", c.t("ไม่มีกำหนด", "no expiry"))
	} else {
		v := c.date(card.ValidUntil)
		if card.Expired {
			v += " (" + c.t("หมดอายุแล้ว", "expired") + ")"
		}
		row("ใช้ได้ถึง", "Valid until", v)
	}
	if len(card.Credentials) > 1 {
		row("จำนวนชุด", "Copies", fmt.Sprintf("%d", len(card.Credentials)))
	}
	row("นำเสนอแล้ว", "Presented", fmt.Sprintf(c.t("%d ครั้ง", "%d times"), card.Presented))
	tw.Flush()
	fmt.Fprintln(out, c.t("ข้อมูล:", "Claims:"))
	c.claims(out, card.Claims, true)
	if card.Format == holder.FormatSDJWT {
		fmt.Fprintln(out, c.t("  (* เลือกได้ว่าจะเปิดเผยหรือไม่)", "  (* you choose whether to disclose it)"))
	}
	return nil
}

func (c *walletCLI) claims(out io.Writer, cs []holder.CardClaim, mark bool) {
	tw := tabwriter.NewWriter(out, 2, 4, 1, ' ', 0)
	for _, cl := range cs {
		m := " "
		if mark && cl.Disclosable {
			m = "*"
		}
		fmt.Fprintf(tw, "  %s %s:\t%s\n", m, c.pick(cl.Label, cl.Path), c.value(cl.Value))
	}
	tw.Flush()
}

func (c *walletCLI) formatName(f string) string {
	switch f {
	case holder.FormatSDJWT:
		return f + " (" + c.t("SD-JWT VC เปิดเผยเฉพาะบางส่วนได้", "SD-JWT VC, selective disclosure") + ")"
	case holder.FormatJWTVC:
		return f + " (" + c.t("vc+jwt ส่งทั้งฉบับ", "vc+jwt, always sent whole") + ")"
	}
	return f
}

func (c *walletCLI) present(ctx context.Context, uri string) error {
	w, _, err := c.open(ctx)
	if err != nil {
		return err
	}
	req, err := w.ResolveRequest(ctx, uri)
	if err != nil {
		return err
	}
	consent, err := w.Prepare(ctx, req)
	var nm *holder.NoMatchError
	if errors.As(err, &nm) {
		fmt.Fprintf(c.e.stdout, "%s\n", c.t("ไม่มีเอกสารในกระเป๋าที่ตรงกับคำขอนี้ ไม่ได้ส่งข้อมูลใด ๆ", "No credential in the wallet answers this request; nothing was sent."))
		c.requester(req)
		return errFail
	}
	if err != nil {
		return err
	}
	for _, it := range consent.Items {
		for _, id := range c.f.use {
			if err := w.Choose(ctx, consent, it.QueryID, id); err == nil {
				break
			}
		}
		if it.Optional && c.f.opt {
			it.Include = true
		}
	}
	if c.f.asJSON {
		if err := printJSON(c.e.stdout, map[string]any{"consent": consent}); err != nil {
			return err
		}
	} else {
		c.summary(consent)
	}
	if !c.f.yes {
		fmt.Fprint(c.e.stderr, c.t("ส่งข้อมูลข้างต้นหรือไม่? [y/N]: ", "Send the claims above? [y/N]: "))
		ans, err := c.readLine()
		switch strings.ToLower(strings.TrimSpace(ans)) {
		case "y", "yes", "ใช่", "ส่ง":
		case "":
			if err != nil {
				fmt.Fprintln(c.e.stdout, c.t("ไม่ได้รับคำตอบ ไม่ได้ส่งข้อมูลใด ๆ", "No answer; nothing was sent."))
				return errFail
			}
			fallthrough
		default:
			if err := w.Decline(ctx, consent); err != nil {
				fmt.Fprintf(c.e.stderr, "thaitrust wallet: telling the verifier: %v\n", err)
			}
			fmt.Fprintln(c.e.stdout, c.t("ปฏิเสธแล้ว ไม่ได้ส่งข้อมูลใด ๆ", "Declined; nothing was sent."))
			return errFail
		}
	}
	resp, err := w.Respond(ctx, consent)
	if err != nil {
		return err
	}
	if c.f.asJSON {
		return printJSON(c.e.stdout, map[string]any{"response": resp})
	}
	fmt.Fprintln(c.e.stdout, c.t("ส่งแล้ว ผู้ตรวจสอบได้รับข้อมูลแล้ว", "Sent; the verifier accepted the response."))
	if resp.RedirectURI != "" {
		fmt.Fprintf(c.e.stdout, "%s %s\n", c.t("ไปต่อที่", "Continue at"), resp.RedirectURI)
	}
	return nil
}

func (c *walletCLI) requester(req *holder.Request) {
	name := c.pick(req.Verifier.Name, "")
	if name != "" {
		name += " "
	}
	fmt.Fprintf(c.e.stdout, "%s %s(%s)\n", c.t("ผู้ขอ:", "Requested by:"), name, req.Verifier.DID)
	if p := c.pick(req.Purpose, ""); p != "" {
		fmt.Fprintf(c.e.stdout, "%s %s\n", c.t("วัตถุประสงค์:", "Purpose:"), p)
	}
}

// summary prints the consent screen: who, why, and exactly what leaves.
func (c *walletCLI) summary(consent *holder.Consent) {
	out := c.e.stdout
	c.requester(consent.Request)
	fmt.Fprintln(out, c.t("   (ชื่อเป็นสิ่งที่ผู้ขอแจ้งเอง มีเพียง DID ที่ได้รับการยืนยัน)", "   (the name is the verifier's own claim; only the DID is verified)"))
	for _, it := range consent.Items {
		fmt.Fprintln(out)
		state := ""
		if it.Optional && !it.Include {
			state = c.t(" — ไม่บังคับ จะไม่ส่ง (ใช้ --include-optional เพื่อส่ง)", " — optional, NOT sent (--include-optional sends it)")
		}
		fmt.Fprintf(out, "%s %s [%s]%s\n", c.t("เอกสาร:", "Credential:"), c.pick(it.Credential.Title, it.Credential.Type), it.Credential.ID, state)
		if len(it.Candidates) > 1 {
			var ids []string
			for _, cand := range it.Candidates {
				ids = append(ids, cand.Card)
			}
			fmt.Fprintf(out, "  %s %s (--use ID)\n", c.t("เอกสารอื่นที่ใช้ได้:", "Other credentials that could answer:"), strings.Join(ids, ", "))
		}
		if it.WholeCredential {
			fmt.Fprintln(out, c.t("  เอกสารรูปแบบนี้เลือกเปิดเผยบางส่วนไม่ได้: จะส่งข้อมูลทั้งหมดต่อไปนี้", "  This format cannot hide anything: ALL of the following is sent"))
		}
		if len(it.Disclosed) > 0 {
			fmt.Fprintln(out, c.t("  ข้อมูลที่ขอ (เลือกเปิดเผย):", "  Requested claims (selectively disclosed):"))
			c.claims(out, it.Disclosed, false)
		}
		if len(it.Visible) > 0 && !it.WholeCredential {
			fmt.Fprintln(out, c.t("  ข้อมูลที่ส่งไปด้วยเสมอกับเอกสารนี้:", "  Always sent with this credential:"))
		}
		c.claims(out, it.Visible, false)
	}
	fmt.Fprintln(out)
}

func (c *walletCLI) log(ctx context.Context) error {
	w, _, err := c.open(ctx)
	if err != nil {
		return err
	}
	entries, err := w.Log(ctx)
	if err != nil {
		return err
	}
	if c.f.asJSON {
		if entries == nil {
			entries = []*holder.LogEntry{}
		}
		return printJSON(c.e.stdout, entries)
	}
	if len(entries) == 0 {
		fmt.Fprintln(c.e.stdout, "Nothing disclosed yet / ยังไม่เคยเปิดเผยข้อมูล")
		return nil
	}
	out := c.e.stdout
	for _, e := range entries {
		name := c.pick(e.Verifier.Name, "")
		if name != "" {
			name += " "
		}
		who := e.Verifier.DID
		if who == "" {
			who = e.Verifier.ClientID
		}
		fmt.Fprintf(out, "%s  %s(%s)  %s\n", c.dateTime(e.Time), name, who, c.outcome(e.Outcome))
		if p := c.pick(e.Purpose, ""); p != "" {
			fmt.Fprintf(out, "  %s %s\n", c.t("วัตถุประสงค์:", "purpose:"), p)
		}
		for _, lc := range e.Credentials {
			fmt.Fprintf(out, "  %s [%s]\n", c.pick(lc.Title, lc.Type), lc.CredentialID)
			if len(lc.Disclosed) > 0 {
				fmt.Fprintf(out, "    %s %s\n", c.t("เปิดเผย:", "disclosed:"), c.paths(lc.Disclosed))
			}
			if len(lc.Visible) > 0 {
				fmt.Fprintf(out, "    %s %s\n", c.t("ส่งไปด้วยเสมอ:", "always sent:"), c.paths(lc.Visible))
			}
		}
		if e.Error != "" {
			fmt.Fprintf(out, "  %s %s\n", c.t("ข้อผิดพลาด:", "error:"), e.Error)
		}
	}
	return nil
}

func (c *walletCLI) paths(ps []string) string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = holder.ClaimLabel(p)[c.lng]
	}
	return strings.Join(out, ", ")
}

func (c *walletCLI) outcome(o string) string {
	switch o {
	case holder.OutcomeSent:
		return c.t("ส่งแล้ว", "sent")
	case holder.OutcomeDeclined:
		return c.t("ปฏิเสธ (ไม่ได้ส่ง)", "declined (nothing sent)")
	case holder.OutcomeFailed:
		return c.t("ส่งไม่สำเร็จ", "failed")
	case holder.OutcomePending:
		return c.t("ไม่ทราบผล (อาจได้รับแล้ว)", "unknown outcome (may have been received)")
	}
	return o
}

func (c *walletCLI) delete(ctx context.Context, id string) error {
	w, _, err := c.open(ctx)
	if err != nil {
		return err
	}
	ids, err := w.Delete(ctx, id)
	if err != nil {
		return notFound(err)
	}
	fmt.Fprintf(c.e.stdout, "Deleted %d credential(s) / ลบเอกสารแล้ว %d ฉบับ: %s\n", len(ids), len(ids), strings.Join(ids, " "))
	return nil
}

func (c *walletCLI) export(ctx context.Context, file string) error {
	if _, err := os.Lstat(file); err == nil {
		return fmt.Errorf("%s exists; not overwriting it", file)
	}
	_, s, err := c.open(ctx)
	if err != nil {
		return err
	}
	pass, err := c.secret(envBackupPassphrase, "Backup passphrase / รหัสผ่านสำหรับไฟล์สำรอง: ", true)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := holder.Export(ctx, s, &buf, pass, holder.ExportOptions{KDF: c.kdf()}); err != nil {
		return err
	}
	if err := fsx.WriteFileAtomic(file, buf.Bytes(), 0o600); err != nil {
		return err
	}
	fmt.Fprintf(c.e.stdout, "Wrote an encrypted backup to %s / เขียนไฟล์สำรองที่เข้ารหัสแล้วที่ %s\n", file, file)
	return nil
}

func (c *walletCLI) importBackup(ctx context.Context, file string) error {
	if ents, err := os.ReadDir(c.f.dir); err == nil && len(ents) > 0 {
		return fmt.Errorf("%s exists and is not empty; import creates a new wallet", c.f.dir)
	}
	f, err := os.Open(file)
	if err != nil {
		return usagef("%v", err)
	}
	defer f.Close()
	backupPass, err := c.secret(envBackupPassphrase, "Backup passphrase / รหัสผ่านของไฟล์สำรอง: ", false)
	if err != nil {
		return err
	}
	// Check the backup before creating anything.
	mem := &memStore{}
	n, err := holder.Import(ctx, f, backupPass, mem)
	switch {
	case errors.Is(err, holder.ErrWrongPassphrase):
		return fmt.Errorf("wrong passphrase for the backup %s / รหัสผ่านไฟล์สำรองไม่ถูกต้อง", file)
	case err != nil:
		return err
	}
	pass, err := c.walletPassphrase(true)
	if err != nil {
		return err
	}
	s, err := holder.CreateDir(c.f.dir, pass, holder.CreateOptions{KDF: c.kdf()})
	if err != nil {
		return err
	}
	if err := mem.copyTo(ctx, s); err != nil {
		return err
	}
	fmt.Fprintf(c.e.stdout, "Imported %d credentials, %d keys and %d log entries into %s\nนำเข้าเอกสาร %d ฉบับไปยัง %s\n",
		n.Credentials, n.Keys, n.Log, c.f.dir, n.Credentials, c.f.dir)
	return nil
}

// memStore holds a decrypted backup in memory between checking it and
// writing it to the new wallet.
type memStore struct {
	creds []*holder.Credential
	keys  []*holder.Key
	log   []*holder.LogEntry
}

func (m *memStore) PutCredential(_ context.Context, c *holder.Credential) error {
	m.creds = append(m.creds, c)
	return nil
}
func (m *memStore) GetCredential(context.Context, string) (*holder.Credential, error) {
	return nil, holder.ErrNotFound
}
func (m *memStore) DeleteCredential(context.Context, string) error { return holder.ErrNotFound }
func (m *memStore) Credentials(context.Context, func(*holder.Credential) error) error {
	return nil
}
func (m *memStore) PutKey(_ context.Context, k *holder.Key) error {
	m.keys = append(m.keys, k)
	return nil
}
func (m *memStore) GetKey(context.Context, string) (*holder.Key, error) {
	return nil, holder.ErrNotFound
}
func (m *memStore) DeleteKey(context.Context, string) error             { return holder.ErrNotFound }
func (m *memStore) Keys(context.Context, func(*holder.Key) error) error { return nil }
func (m *memStore) PutLog(_ context.Context, e *holder.LogEntry) error {
	m.log = append(m.log, e)
	return nil
}
func (m *memStore) Log(context.Context, func(*holder.LogEntry) error) error { return nil }

func (m *memStore) copyTo(ctx context.Context, s holder.Store) error {
	for _, k := range m.keys {
		if err := s.PutKey(ctx, k); err != nil {
			return err
		}
	}
	for _, c := range m.creds {
		if err := s.PutCredential(ctx, c); err != nil {
			return err
		}
	}
	for _, e := range m.log {
		if err := s.PutLog(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

func notFound(err error) error {
	if errors.Is(err, holder.ErrNotFound) || errors.Is(err, holder.ErrAmbiguous) {
		return usagef("%v ('thaitrust wallet list' shows the ids)", err)
	}
	return err
}

// kdf returns the Argon2id parameters of new wallets and backups: the
// default, unless envUnsafeKDF says otherwise (tests only).
func (c *walletCLI) kdf() signing.KDFParams {
	if c.e.getenv(envUnsafeKDF) != "1" {
		return signing.KDFParams{}
	}
	fmt.Fprintf(c.e.stderr, "WARNING: %s=1: this wallet or backup is protected by a passphrase hash that costs nothing to attack; for tests only\n", envUnsafeKDF)
	return signing.KDFParams{Time: 1, MemoryKiB: 64, Threads: 1}
}

// t picks the Thai or English text.
func (c *walletCLI) t(th, en string) string {
	if c.lng == "en" {
		return en
	}
	return th
}

// pick returns m's text in the chosen language, else in the other, else
// the untagged one, else def.
func (c *walletCLI) pick(m map[string]string, def string) string {
	for _, k := range []string{c.lng, "", c.t("en", "th")} {
		if s := m[k]; s != "" {
			return s
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if m[k] != "" {
			return m[k]
		}
	}
	return def
}

// value renders a claim value for people.
func (c *walletCLI) value(v any) string {
	switch x := v.(type) {
	case nil:
		return "-"
	case string:
		if len(x) > 80 {
			return fmt.Sprintf("%s… (%d %s)", x[:40], len(x), c.t("ตัวอักษร", "characters"))
		}
		return x
	case bool:
		if x {
			return c.t("ใช่", "yes")
		}
		return c.t("ไม่ใช่", "no")
	case json.Number:
		return x.String()
	case map[string]any:
		if s, ok := x[c.lng].(string); ok {
			return s
		}
		if s, ok := x[c.t("en", "th")].(string); ok {
			return s
		}
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = c.value(e)
		}
		return strings.Join(parts, ", ")
	}
	b, _ := json.Marshal(v)
	s := string(b)
	if len(s) > 100 {
		s = s[:100] + "…"
	}
	return s
}

var thaiMonths = []string{"ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."}

// date renders a day: "1 มิ.ย. 2568" (Buddhist Era) or "1 Jun 2025".
func (c *walletCLI) date(t time.Time) string {
	t = t.UTC()
	if c.lng == "th" {
		return fmt.Sprintf("%d %s %d", t.Day(), thaiMonths[t.Month()-1], t.Year()+543)
	}
	return t.Format("2 Jan 2006")
}

func (c *walletCLI) dateTime(t time.Time) string {
	return c.date(t) + " " + t.UTC().Format("15:04") + " UTC"
}
