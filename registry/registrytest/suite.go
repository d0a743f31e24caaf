package registrytest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/registry"
)

// TestStore runs the conformance suite for [registry.Store]
// implementations. open must return a new, empty store for each call
// (it is called once per subtest) and register its own cleanup.
//
// Beyond the documentation of registry.Store, the suite pins down:
//
//   - Append stores Event.State byte for byte, and every field of the
//     event; At keeps at least millisecond precision.
//   - A rejected Append (wrong Seq or PrevHash: ErrConflict; an Action
//     naming no object kind: an error) stores nothing.
//   - Of concurrent Appends of the same Seq exactly one succeeds.
//   - The objects returned are those of the last event that wrote them;
//     Entities and Accreditations walk in id order and stop at fn's
//     error, which they return as is.
//   - With a cancelled context every method fails and writes nothing.
//   - registry.Verify passes on what the suite wrote.
func TestStore(t *testing.T, open func(t *testing.T) registry.Store) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s registry.Store)
	}{
		{"Empty", testEmpty},
		{"AppendRead", testAppendRead},
		{"Conflict", testConflict},
		{"Overwrite", testOverwrite},
		{"EventsPaging", testEventsPaging},
		{"Walk", testWalk},
		{"Concurrent", testConcurrent},
		{"ContextCanceled", testContextCanceled},
		{"UnknownKind", testUnknownKind},
		{"Service", testService},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

var suiteT0 = time.Date(2025, 6, 1, 9, 30, 0, 123_000_000, time.UTC)

// chain builds events the way the Service does.
type chain struct {
	head registry.Event
}

func (c *chain) next(t testing.TB, action, subject string, obj any) registry.Event {
	t.Helper()
	state, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	ev := registry.Event{Seq: c.head.Seq + 1, At: suiteT0.Add(time.Duration(c.head.Seq) * time.Millisecond), Actor: "suite",
		Action: action, Subject: subject, Reason: "conformance", State: state, PrevHash: c.head.Hash}
	ev.Hash = ev.ComputeHash()
	return ev
}

func (c *chain) append(t testing.TB, s registry.Store, ev registry.Event) {
	t.Helper()
	if err := s.Append(context.Background(), ev); err != nil {
		t.Fatalf("Append(%d %s %s): %v", ev.Seq, ev.Action, ev.Subject, err)
	}
	c.head = ev
}

func entity(id string, version int64) registry.Entity {
	return registry.Entity{ID: id, Kinds: []registry.Kind{registry.KindIssuer}, Name: registry.Text{TH: "ไทย " + id, EN: "English " + id},
		Jurisdiction: "TH", Identifiers: []registry.Identifier{{Type: registry.IdentifierDID, Value: "did:web:" + id + ".example"}},
		Status: registry.StatusActive, History: []registry.StatusChange{{Status: registry.StatusActive, EffectiveFrom: suiteT0, RecordedAt: suiteT0, Seq: version}},
		Version: version}
}

func accreditation(id, subject string, version int64) registry.Accreditation {
	return registry.Accreditation{ID: id, Subject: subject, Accreditor: "root", Role: registry.RoleIssuer,
		Scope: registry.Scope{CredentialTypes: []string{"DegreeCredential"}}, Jurisdiction: "TH", ValidFrom: suiteT0, ValidUntil: suiteT0.AddDate(1, 0, 0),
		Status: registry.StatusActive, History: []registry.StatusChange{{Status: registry.StatusActive, EffectiveFrom: suiteT0, RecordedAt: suiteT0, Seq: version}},
		Credential: "eyJhbGciOiJFZERTQSJ9.e30.c2ln", Version: version}
}

func sameEvent(t testing.TB, got, want registry.Event) {
	t.Helper()
	if got.Seq != want.Seq || !got.At.Equal(want.At) || got.Actor != want.Actor || got.Action != want.Action || got.Subject != want.Subject ||
		got.Reason != want.Reason || !bytes.Equal(got.State, want.State) || got.PrevHash != want.PrevHash || got.Hash != want.Hash {
		t.Errorf("event %d differs:\n got %+v\nwant %+v", want.Seq, got, want)
	}
	if got.ComputeHash() != want.Hash {
		t.Errorf("event %d does not hash as written", want.Seq)
	}
}

func testEmpty(t *testing.T, s registry.Store) {
	ctx := context.Background()
	if _, err := s.Head(ctx); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("Head of empty store: %v, want ErrNotFound", err)
	}
	if evs, err := s.Events(ctx, 0, 10); err != nil || len(evs) != 0 {
		t.Errorf("Events = %d, %v", len(evs), err)
	}
	if _, err := s.Entity(ctx, "x"); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("Entity: %v, want ErrNotFound", err)
	}
	if _, err := s.Accreditation(ctx, "x"); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("Accreditation: %v, want ErrNotFound", err)
	}
	if evs, err := s.SubjectEvents(ctx, "entity", "x"); err != nil || len(evs) != 0 {
		t.Errorf("SubjectEvents = %d, %v", len(evs), err)
	}
}

func testAppendRead(t *testing.T, s registry.Store) {
	ctx := context.Background()
	var c chain
	e1 := c.next(t, registry.ActionEntityRegister, "chula", entity("chula", 1))
	c.append(t, s, e1)
	a := accreditation("urn:uuid:0001", "chula", 2)
	e2 := c.next(t, registry.ActionAccreditationGrant, a.ID, a)
	c.append(t, s, e2)
	head, err := s.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sameEvent(t, head, e2)
	evs, err := s.Events(ctx, 0, 0)
	if err != nil || len(evs) != 2 {
		t.Fatalf("Events = %d, %v", len(evs), err)
	}
	sameEvent(t, evs[0], e1)
	sameEvent(t, evs[1], e2)
	ge, err := s.Entity(ctx, "chula")
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(ge); !bytes.Equal(b, e1.State) {
		t.Errorf("Entity = %s, want %s", b, e1.State)
	}
	ga, err := s.Accreditation(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := json.Marshal(ga); !bytes.Equal(b, e2.State) {
		t.Errorf("Accreditation = %s, want %s", b, e2.State)
	}
	// Kinds are separate name spaces.
	if _, err := s.Accreditation(ctx, "chula"); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("Accreditation(entity id): %v", err)
	}
	// Returned state is a copy.
	evs[0].State[0] = 'X'
	again, _ := s.Events(ctx, 0, 1)
	if again[0].State[0] == 'X' {
		t.Error("Events shares State with the store")
	}
	if n, err := registry.Verify(ctx, s); err != nil || n != 2 {
		t.Errorf("Verify = %d, %v", n, err)
	}
}

func testConflict(t *testing.T, s registry.Store) {
	ctx := context.Background()
	var c chain
	c.append(t, s, c.next(t, registry.ActionEntityRegister, "a", entity("a", 1)))
	good := c.next(t, registry.ActionEntityRegister, "b", entity("b", 2))
	for name, ev := range map[string]registry.Event{
		"seq taken": func() registry.Event { e := good; e.Seq = 1; return e }(),
		"seq gap":   func() registry.Event { e := good; e.Seq = 3; return e }(),
		"prev hash": func() registry.Event { e := good; e.PrevHash[0] ^= 1; return e }(),
	} {
		if err := s.Append(ctx, ev); !errors.Is(err, registry.ErrConflict) {
			t.Errorf("%s: %v, want ErrConflict", name, err)
		}
	}
	if _, err := s.Entity(ctx, "b"); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("a rejected append stored its object: %v", err)
	}
	if h, _ := s.Head(ctx); h.Seq != 1 {
		t.Errorf("head %d after rejected appends", h.Seq)
	}
	c.append(t, s, good)
}

func testOverwrite(t *testing.T, s registry.Store) {
	ctx := context.Background()
	var c chain
	c.append(t, s, c.next(t, registry.ActionEntityRegister, "a", entity("a", 1)))
	c.append(t, s, c.next(t, registry.ActionEntityRegister, "b", entity("b", 2)))
	e := entity("a", 3)
	e.Status, e.StatusReason = registry.StatusSuspended, "audit"
	e.History = append(e.History, registry.StatusChange{Status: registry.StatusSuspended, Reason: "audit", EffectiveFrom: suiteT0.Add(time.Hour), RecordedAt: suiteT0.Add(time.Hour), Seq: 3})
	c.append(t, s, c.next(t, registry.ActionEntityStatus, "a", e))
	got, err := s.Entity(ctx, "a")
	if err != nil || got.Status != registry.StatusSuspended || got.Version != 3 || len(got.History) != 2 {
		t.Errorf("Entity = %+v, %v", got, err)
	}
	evs, err := s.SubjectEvents(ctx, "entity", "a")
	if err != nil || len(evs) != 2 || evs[0].Seq != 1 || evs[1].Seq != 3 {
		t.Errorf("SubjectEvents = %v, %v", evs, err)
	}
}

func testEventsPaging(t *testing.T, s registry.Store) {
	ctx := context.Background()
	var c chain
	for i := 1; i <= 25; i++ {
		id := fmt.Sprintf("e%02d", i)
		c.append(t, s, c.next(t, registry.ActionEntityRegister, id, entity(id, int64(i))))
	}
	var seqs []int64
	after := int64(0)
	for {
		evs, err := s.Events(ctx, after, 7)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 {
			break
		}
		if len(evs) > 7 {
			t.Fatalf("page of %d, limit 7", len(evs))
		}
		for _, ev := range evs {
			seqs = append(seqs, ev.Seq)
		}
		after = evs[len(evs)-1].Seq
	}
	for i, s := range seqs {
		if s != int64(i+1) {
			t.Fatalf("paged seqs %v", seqs)
		}
	}
	if len(seqs) != 25 {
		t.Errorf("%d events paged, want 25", len(seqs))
	}
	if evs, _ := s.Events(ctx, 25, 10); len(evs) != 0 {
		t.Errorf("Events after the head: %d", len(evs))
	}
}

func testWalk(t *testing.T, s registry.Store) {
	ctx := context.Background()
	var c chain
	ids := []string{"m", "b", "z", "a", "b-2"}
	for i, id := range ids {
		c.append(t, s, c.next(t, registry.ActionEntityRegister, id, entity(id, int64(i+1))))
	}
	for _, id := range ids {
		a := accreditation("acc-"+id, id, c.head.Seq+1)
		c.append(t, s, c.next(t, registry.ActionAccreditationGrant, a.ID, a))
	}
	var got []string
	if err := s.Entities(ctx, func(e registry.Entity) error { got = append(got, e.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[a b b-2 m z]" {
		t.Errorf("Entities walked %v, want id order", got)
	}
	got = nil
	if err := s.Accreditations(ctx, func(a registry.Accreditation) error { got = append(got, a.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != "[acc-a acc-b acc-b-2 acc-m acc-z]" {
		t.Errorf("Accreditations walked %v", got)
	}
	stop := errors.New("stop")
	n := 0
	if err := s.Entities(ctx, func(registry.Entity) error { n++; return stop }); err != stop || n != 1 {
		t.Errorf("walk with fn error: %v after %d", err, n)
	}
}

func testConcurrent(t *testing.T, s registry.Store) {
	ctx := context.Background()
	const writers, rounds = 8, 12
	var (
		mu   sync.Mutex
		c    chain
		wins = map[int64]int{}
	)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < rounds; {
				mu.Lock()
				head := c.head
				mu.Unlock()
				cc := chain{head: head}
				id := fmt.Sprintf("w%d-%d", w, r)
				ev := cc.next(t, registry.ActionEntityRegister, id, entity(id, head.Seq+1))
				err := s.Append(ctx, ev)
				if errors.Is(err, registry.ErrConflict) {
					h, err := s.Head(ctx)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					if h.Seq > c.head.Seq {
						c.head = h
					}
					mu.Unlock()
					continue
				}
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				wins[ev.Seq]++
				if ev.Seq > c.head.Seq {
					c.head = ev
				}
				mu.Unlock()
				r++
			}
		}()
	}
	wg.Wait()
	for seq, n := range wins {
		if n != 1 {
			t.Errorf("seq %d appended %d times", seq, n)
		}
	}
	if len(wins) != writers*rounds {
		t.Errorf("%d appends succeeded, want %d", len(wins), writers*rounds)
	}
	if n, err := registry.Verify(ctx, s); err != nil || n != writers*rounds {
		t.Errorf("Verify = %d, %v", n, err)
	}
}

func testContextCanceled(t *testing.T, s registry.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var c chain
	ev := c.next(t, registry.ActionEntityRegister, "a", entity("a", 1))
	if err := s.Append(ctx, ev); !errors.Is(err, context.Canceled) {
		t.Errorf("Append: %v", err)
	}
	if _, err := s.Head(context.Background()); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("a cancelled Append wrote: %v", err)
	}
	c.append(t, s, ev)
	if _, err := s.Head(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Head: %v", err)
	}
	if _, err := s.Events(ctx, 0, 1); !errors.Is(err, context.Canceled) {
		t.Errorf("Events: %v", err)
	}
	if _, err := s.Entity(ctx, "a"); !errors.Is(err, context.Canceled) {
		t.Errorf("Entity: %v", err)
	}
	if err := s.Entities(ctx, func(registry.Entity) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("Entities: %v", err)
	}
}

func testUnknownKind(t *testing.T, s registry.Store) {
	var c chain
	ev := c.next(t, "gadget.create", "a", entity("a", 1))
	if err := s.Append(context.Background(), ev); err == nil {
		t.Error("Append of an event that writes no known object kind succeeded")
	}
	if _, err := s.Head(context.Background()); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("rejected event stored: %v", err)
	}
}

// testService runs the demo scheme on the store, reopens it and checks
// the history verifies and the answers survive.
func testService(t *testing.T, s registry.Store) {
	sc := NewScheme(t, s)
	uni := sc.Members["university"]
	sc.Clock.Set(Epoch.AddDate(0, 3, 0))
	if _, err := sc.Service.SetAccreditationStatus(context.Background(), Admin, uni.Accreditation.ID, registry.StatusRequest{Status: registry.StatusWithdrawn, Reason: "closed"}); err != nil {
		t.Fatal(err)
	}
	re, err := registry.Open(context.Background(), registry.Config{Store: s, Root: "etda", Now: sc.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		at   time.Time
		want bool
	}{{Epoch.AddDate(0, 1, 0), true}, {Epoch.AddDate(0, 4, 0), false}} {
		a, err := re.Authorize(context.Background(), registry.AuthorizationQuery{Entity: uni.DID, Resource: "DegreeCredential", At: tc.at})
		if err != nil || a.Authorized != tc.want {
			t.Errorf("at %s: %+v, %v", tc.at, a, err)
		}
	}
	if n, err := registry.Verify(context.Background(), s); err != nil || n != re.Head().Seq {
		t.Errorf("Verify = %d, %v", n, err)
	}
}
