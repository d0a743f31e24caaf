package registry

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Hash is a SHA-256 digest in the history chain, written as lower-case
// hex in JSON.
type Hash [32]byte

// String returns the hash in hex.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// MarshalText implements encoding.TextMarshaler.
func (h Hash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (h *Hash) UnmarshalText(b []byte) error {
	if len(b) != 64 {
		return fmt.Errorf("registry: hash %q is not 64 hex digits", b)
	}
	_, err := hex.Decode(h[:], b)
	return err
}

// Actions recorded in the history. The part before the dot names the
// kind of object the event writes (ObjectKind).
const (
	ActionEntityRegister      = "entity.register"      // Service.Register
	ActionEntityStatus        = "entity.status"        // Service.SetEntityStatus
	ActionEntityImport        = "entity.import"        // an imported list wrote a foreign entity
	ActionAccreditationGrant  = "accreditation.grant"  // Service.Accredit
	ActionAccreditationStatus = "accreditation.status" // Service.SetAccreditationStatus
	ActionAccreditationImport = "accreditation.import" // an imported list wrote a foreign accreditation (or the recognition)
)

// Object kinds (Event.ObjectKind).
const (
	objectEntity        = "entity"
	objectAccreditation = "accreditation"
)

const (
	hashDomain   = "thaitrust/registry/event/v1"
	verifyBatch  = 1000
	actorMaxLen  = 256
	reasonMaxLen = 2000
)

// Event is one entry of the registry's append-only history. Every change
// of an entity or accreditation is one event, which carries the complete
// new state of that object: the current objects are a function of the
// history (see the package documentation, "History").
type Event struct {
	Seq     int64     `json:"seq"`     // 1, 2, 3, ...
	At      time.Time `json:"at"`      // when it was recorded, UTC, millisecond precision
	Actor   string    `json:"actor"`   // the authenticated administrator (or "import:<list>")
	Action  string    `json:"action"`  // one of the Action* constants
	Subject string    `json:"subject"` // id of the entity or accreditation written
	Reason  string    `json:"reason,omitempty"`
	// State is the object's new state: the JSON of an Entity or an
	// Accreditation, byte for byte as hashed.
	State    json.RawMessage `json:"state"`
	PrevHash Hash            `json:"prev_hash"` // the previous event's Hash; zero for Seq 1
	Hash     Hash            `json:"hash"`      // ComputeHash of the above
}

// ObjectKind returns "entity" or "accreditation": the kind of object the
// event writes, from its Action.
func (ev *Event) ObjectKind() string {
	k, _, _ := strings.Cut(ev.Action, ".")
	return k
}

// Entity decodes the state of an entity event.
func (ev *Event) Entity() (Entity, error) {
	var e Entity
	if ev.ObjectKind() != objectEntity {
		return e, fmt.Errorf("registry: event %d (%s) does not write an entity", ev.Seq, ev.Action)
	}
	err := json.Unmarshal(ev.State, &e)
	return e, err
}

// Accreditation decodes the state of an accreditation event.
func (ev *Event) Accreditation() (Accreditation, error) {
	var a Accreditation
	if ev.ObjectKind() != objectAccreditation {
		return a, fmt.Errorf("registry: event %d (%s) does not write an accreditation", ev.Seq, ev.Action)
	}
	err := json.Unmarshal(ev.State, &a)
	return a, err
}

// ComputeHash returns the event's hash: SHA-256 over a canonical encoding
// of (Seq, At, Actor, Action, Subject, Reason, State, PrevHash). The
// encoding is a domain-separation string followed by each field as a
// 4-byte big-endian length and its bytes; Seq is 8 bytes big-endian, At
// is RFC 3339 in UTC with exactly three fractional digits. It does not
// depend on how the event is stored.
func (ev *Event) ComputeHash() Hash {
	h := sha256.New()
	var n [8]byte
	field := func(p []byte) {
		binary.BigEndian.PutUint32(n[:4], uint32(len(p)))
		h.Write(n[:4])
		h.Write(p)
	}
	var at [32]byte
	field([]byte(hashDomain))
	binary.BigEndian.PutUint64(n[:], uint64(ev.Seq))
	seq := n
	field(seq[:])
	field(ev.At.UTC().AppendFormat(at[:0], "2006-01-02T15:04:05.000Z07:00"))
	field([]byte(ev.Actor))
	field([]byte(ev.Action))
	field([]byte(ev.Subject))
	field([]byte(ev.Reason))
	field(ev.State)
	field(ev.PrevHash[:])
	var out Hash
	h.Sum(out[:0])
	return out
}

// ChainError reports the first broken link of the history chain.
type ChainError struct {
	Seq    int64  // the first event that does not fit
	Reason string // "hash_mismatch", "prev_hash_mismatch", "seq_gap", "state_mismatch"
	Msg    string
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("registry: history broken at event %d: %s: %s", e.Seq, e.Reason, e.Msg)
}

// Is makes errors.Is(err, ErrTampered) true.
func (e *ChainError) Is(target error) bool { return target == ErrTampered }

// VerifyChain walks events (in order, starting at Seq 1 or after a
// trusted event prev, which may be nil) and reports the first broken
// link: a Seq that is not the previous plus one, a PrevHash that is not
// the previous event's Hash, or a Hash that is not ComputeHash. It
// returns the last event checked.
func VerifyChain(prev *Event, events []Event) (*Event, error) {
	for i := range events {
		ev := &events[i]
		wantSeq, wantPrev := int64(1), Hash{}
		if prev != nil {
			wantSeq, wantPrev = prev.Seq+1, prev.Hash
		}
		switch {
		case ev.Seq != wantSeq:
			return prev, &ChainError{Seq: wantSeq, Reason: "seq_gap", Msg: fmt.Sprintf("found event %d where %d belongs", ev.Seq, wantSeq)}
		case ev.PrevHash != wantPrev:
			return prev, &ChainError{Seq: ev.Seq, Reason: "prev_hash_mismatch", Msg: "prev_hash is not the hash of the previous event"}
		case ev.ComputeHash() != ev.Hash:
			return prev, &ChainError{Seq: ev.Seq, Reason: "hash_mismatch", Msg: "the event's contents do not match its hash"}
		}
		prev = ev
	}
	return prev, nil
}

// Verify walks the whole history in s and reports the first broken link
// (a *ChainError, matching ErrTampered). It also checks that each current
// entity and accreditation is the state its last event wrote, so a
// changed object is detected as well as a changed event. It returns the
// number of events checked.
func Verify(ctx context.Context, s Store) (int64, error) {
	var (
		prev  *Event
		n     int64
		after int64
		last  = map[string][]byte{} // kind/subject -> the last state written
		seqOf = map[string]int64{}
	)
	for {
		evs, err := s.Events(ctx, after, verifyBatch)
		if err != nil {
			return n, err
		}
		if len(evs) == 0 {
			break
		}
		if prev, err = VerifyChain(prev, evs); err != nil {
			return n, err
		}
		for i := range evs {
			k := evs[i].ObjectKind() + "/" + evs[i].Subject
			last[k] = evs[i].State
			seqOf[k] = evs[i].Seq
		}
		n += int64(len(evs))
		after = evs[len(evs)-1].Seq
	}
	if head, err := s.Head(ctx); err == nil {
		if prev == nil || head.Seq != prev.Seq || head.Hash != prev.Hash {
			return n, &ChainError{Seq: head.Seq, Reason: "head_mismatch", Msg: "the head is not the last event of the history"}
		}
	} else if !errors.Is(err, ErrNotFound) {
		return n, err
	}
	check := func(kind, id string, state any) error {
		k := kind + "/" + id
		want, ok := last[k]
		if !ok {
			return &ChainError{Seq: 0, Reason: "state_mismatch", Msg: fmt.Sprintf("%s %q has no history", kind, id)}
		}
		b, err := json.Marshal(state)
		if err != nil {
			return err
		}
		if !bytes.Equal(b, want) {
			return &ChainError{Seq: seqOf[k], Reason: "state_mismatch", Msg: fmt.Sprintf("%s %q differs from the state its last event recorded", kind, id)}
		}
		delete(last, k)
		return nil
	}
	if err := s.Entities(ctx, func(e Entity) error { return check(objectEntity, e.ID, e) }); err != nil {
		return n, err
	}
	if err := s.Accreditations(ctx, func(a Accreditation) error { return check(objectAccreditation, a.ID, a) }); err != nil {
		return n, err
	}
	for k := range last {
		return n, &ChainError{Seq: seqOf[k], Reason: "state_mismatch", Msg: k + " is in the history but missing from the store"}
	}
	return n, nil
}
