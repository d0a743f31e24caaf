package web

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/thaitrust/thaitrust/registry"
	"github.com/thaitrust/thaitrust/schemas"
)

func init() {
	addRoutes(func(h *Handler, e *echo.Echo) {
		e.GET("/registry", h.registrySearch)
		e.GET("/registry/entity/:id", h.registryEntity)
	})
}

// entityRow is an entity in the search results.
type entityRow struct {
	ID, Name, Alt string
	Kinds         []string // dictionary keys registry.kind.<kind>
	Status        string   // dictionary key
	Active        bool
	Foreign       bool
	Types         []string // titles of the credential types it is accredited for
	Levels        []string // an identity provider's maximum IAL and AAL
}

// registryData is the registry browser's page.
type registryData struct {
	Query, Kind, Type string
	Kinds             []option
	Types             []option
	Rows              []entityRow
	Total             int
	More              bool
	Events            int64
	LastChange        time.Time
	Head              string
}

type option struct {
	Value, Label string
	Selected     bool
}

var entityKinds = []registry.Kind{
	registry.KindSchemeOperator, registry.KindAccreditationBody, registry.KindIssuer,
	registry.KindAuthoritativeSource, registry.KindIdentityProvider, registry.KindVerifier,
}

// searchLimit is the number of entities the page lists.
const searchLimit = 200

func (h *Handler) registrySearch(c *echo.Context) error {
	if h.Registry == nil {
		return h.errorPage(c, http.StatusNotFound, "registry.none")
	}
	v := h.view(c, navRegistry, nil)
	q := strings.TrimSpace(c.QueryParam("q"))
	if len(q) > 200 {
		q = strings.ToValidUTF8(q[:200], "") // not in the middle of a (Thai: 3-byte) character
	}
	d := &registryData{Query: q, Kind: c.QueryParam("kind"), Type: c.QueryParam("type")}
	for _, k := range entityKinds {
		d.Kinds = append(d.Kinds, option{string(k), v.T("registry.kind." + string(k)), d.Kind == string(k)})
	}
	if !slices.Contains(entityKinds, registry.Kind(d.Kind)) {
		d.Kind = ""
	}
	for _, t := range schemas.Types() {
		d.Types = append(d.Types, option{t.Name, v.L(t.Title), d.Type == t.Name})
	}
	var found []registry.Entity
	if e, ok := h.Registry.Entity(q); ok && q != "" {
		// An id, a DID or a certificate fingerprint.
		found = []registry.Entity{e}
	} else {
		found = h.Registry.Search(registry.SearchQuery{Name: q, Kind: registry.Kind(d.Kind), Type: d.Type, Limit: searchLimit + 1})
	}
	if len(found) > searchLimit {
		found, d.More = found[:searchLimit], true
	}
	for _, e := range found {
		d.Rows = append(d.Rows, h.entityRow(v, e))
	}
	// The scheme operator first, then accreditation bodies, then by name.
	slices.SortStableFunc(d.Rows, func(a, b entityRow) int {
		return cmp.Compare(kindRank(a.Kinds), kindRank(b.Kinds))
	})
	d.Total = len(d.Rows)
	head := h.Registry.Head()
	d.Events, d.LastChange = head.Seq, head.At
	if head.Seq > 0 {
		d.Head = head.Hash.String()
	}
	v.Data = d
	return h.renderView(c, http.StatusOK, "registry", v)
}

func kindRank(keys []string) int {
	best := len(entityKinds)
	for _, k := range keys {
		for i, ek := range entityKinds {
			if k == "registry.kind."+string(ek) {
				best = min(best, i)
			}
		}
	}
	return best
}

func (h *Handler) entityRow(v *View, e registry.Entity) entityRow {
	r := entityRow{ID: e.ID, Status: "registry.status." + string(e.Status), Active: e.Status == registry.StatusActive, Foreign: e.Foreign != nil}
	r.Name, r.Alt = textIn(v.Lang, e.Name)
	for _, k := range e.Kinds {
		r.Kinds = append(r.Kinds, "registry.kind."+string(k))
	}
	seen := map[string]bool{}
	for _, a := range h.Registry.Accreditations(e.ID) {
		if a.Status == registry.StatusWithdrawn {
			continue
		}
		if a.Scope.MaxIAL != 0 || a.Scope.MaxAAL != 0 {
			r.Levels = append(r.Levels, "IAL "+a.Scope.MaxIAL.String()+" · AAL "+a.Scope.MaxAAL.String())
		}
		for _, t := range a.Scope.CredentialTypes {
			if !seen[t] {
				seen[t] = true
				r.Types = append(r.Types, credTypeTitle(v, t))
			}
		}
	}
	return r
}

// entityData is an entity's page.
type entityData struct {
	Row            entityRow
	Jurisdiction   string
	Contact        string
	DIDs           []string
	Fingerprints   []string
	Foreign        *registry.Foreign
	StatusReason   string
	Accreditations []entityAcc
	Timeline       []timelineItem
	TimelineErr    bool
}

// entityAcc is one accreditation of the entity with its chain of trust.
type entityAcc struct {
	accView
	Scope  []string // IAL/AAL or data domains beyond the types
	Reason string
	Chain  []chainLink // the chain of trust, the root first, the subject last
}

// chainLink is one organisation of an accreditation chain.
type chainLink struct {
	ID, Name string
	Role     string // dictionary key
	OK       bool
}

// timelineItem is one event of an entity's history.
type timelineItem struct {
	At       time.Time
	Effect   time.Time // when a status change takes effect, if not At
	Text     string
	Reason   string
	Actor    string
	Seq      int64
	Hash     string
	Severity string // "", "warn", "bad"
}

func (h *Handler) registryEntity(c *echo.Context) error {
	if h.Registry == nil {
		return h.errorPage(c, http.StatusNotFound, "registry.none")
	}
	e, ok := h.Registry.Entity(c.Param("id"))
	if !ok {
		return h.errorPage(c, http.StatusNotFound, "registry.notfound")
	}
	v := h.view(c, navRegistry, nil)
	d := &entityData{
		Row: h.entityRow(v, e), Jurisdiction: e.Jurisdiction, Contact: e.Contact,
		DIDs: e.DIDs(), Foreign: e.Foreign, StatusReason: e.StatusReason,
	}
	for _, id := range e.Identifiers {
		if id.Type == registry.IdentifierX509SHA256 {
			d.Fingerprints = append(d.Fingerprints, id.Value)
		}
	}
	accs := h.Registry.Accreditations(e.ID)
	for _, av := range h.accViews(v, accs, "") {
		a, _ := h.Registry.Accreditation(av.ID)
		ea := entityAcc{accView: av, Reason: a.StatusReason, Chain: h.chainOf(v, a)}
		if a.Scope.MaxIAL != 0 || a.Scope.MaxAAL != 0 {
			ea.Scope = append(ea.Scope, "IAL "+a.Scope.MaxIAL.String()+" · AAL "+a.Scope.MaxAAL.String())
		}
		ea.Scope = append(ea.Scope, a.Scope.Domains...)
		d.Accreditations = append(d.Accreditations, ea)
	}
	tl, err := h.timeline(c, v, e, accs)
	if err != nil {
		h.log().ErrorContext(c.Request().Context(), "web: registry history", "entity", e.ID, "error", err.Error())
		d.TimelineErr = true
	}
	d.Timeline = tl
	v.Data = d
	return h.renderView(c, http.StatusOK, "registry_entity", v)
}

// chainOf walks an accreditation's parents up to the root and returns
// the chain root first: the root, ..., the subject's accreditor, the
// subject.
func (h *Handler) chainOf(v *View, a registry.Accreditation) []chainLink {
	link := func(id, role string, ok bool) chainLink {
		l := chainLink{ID: id, Name: id, Role: role, OK: ok}
		if e, found := h.Registry.Entity(id); found {
			l.Name, _ = textIn(v.Lang, e.Name)
			l.OK = ok && e.Status == registry.StatusActive
		}
		return l
	}
	out := []chainLink{link(a.Subject, "registry.role."+string(a.Role), a.Status == registry.StatusActive)}
	seen := map[string]bool{a.ID: true}
	cur := a
	for cur.Parent != "" && !seen[cur.Parent] && len(out) < 16 {
		seen[cur.Parent] = true
		p, ok := h.Registry.Accreditation(cur.Parent)
		if !ok {
			break
		}
		out = append(out, link(p.Subject, "registry.role."+string(p.Role), p.Status == registry.StatusActive))
		cur = p
	}
	root := h.Registry.Root()
	if last := out[len(out)-1].ID; last != root && cur.Accreditor == root {
		out = append(out, link(root, "registry.kind.scheme_operator", true))
	} else if cur.Accreditor != last && cur.Accreditor != "" && cur.Parent == "" {
		out = append(out, link(cur.Accreditor, "registry.role.accreditor", true))
	}
	slices.Reverse(out) // the root first: trust flows down to the subject
	return out
}

// timeline merges the history events of an entity and of its
// accreditations, newest first.
func (h *Handler) timeline(c *echo.Context, v *View, e registry.Entity, accs []registry.Accreditation) ([]timelineItem, error) {
	ctx := c.Request().Context()
	evs, err := h.Registry.History(ctx, "entity", e.ID)
	if err != nil {
		return nil, err
	}
	for _, a := range accs {
		more, err := h.Registry.History(ctx, "accreditation", a.ID)
		if err != nil {
			return nil, err
		}
		evs = append(evs, more...)
	}
	slices.SortFunc(evs, func(a, b registry.Event) int { return cmp.Compare(b.Seq, a.Seq) })
	out := make([]timelineItem, 0, len(evs))
	for _, ev := range evs {
		it := timelineItem{At: ev.At, Reason: ev.Reason, Actor: ev.Actor, Seq: ev.Seq, Hash: ev.Hash.String()}
		switch ev.ObjectKind() {
		case "entity":
			ent, err := ev.Entity()
			if err != nil {
				return nil, err
			}
			it.describeStatus(ev.Action, ent.Status, ent.History, "registry.ev.entity")
			it.Text = v.T(it.Text)
		case "accreditation":
			a, err := ev.Accreditation()
			if err != nil {
				return nil, err
			}
			types := make([]string, 0, len(a.Scope.CredentialTypes))
			for _, t := range a.Scope.CredentialTypes {
				types = append(types, credTypeTitle(v, t))
			}
			what := v.T("registry.role."+string(a.Role)) + ": " + strings.Join(types, ", ")
			if len(types) == 0 {
				what = v.T("registry.role." + string(a.Role))
			}
			accreditor := a.Accreditor
			if ae, ok := h.Registry.Entity(a.Accreditor); ok {
				accreditor, _ = textIn(v.Lang, ae.Name)
			}
			it.describeStatus(ev.Action, a.Status, a.History, "registry.ev.acc")
			it.Text = v.T(it.Text, what, accreditor)
		default:
			continue
		}
		out = append(out, it)
	}
	return out, nil
}

// describeStatus sets the item's text key and severity from the event's
// action and the object's status after it.
func (it *timelineItem) describeStatus(action string, st registry.Status, hist []registry.StatusChange, prefix string) {
	switch {
	case strings.HasSuffix(action, ".register"), strings.HasSuffix(action, ".grant"):
		it.Text = prefix + ".created"
	case strings.HasSuffix(action, ".import"):
		it.Text = prefix + ".imported"
	default:
		it.Text = prefix + "." + string(st)
		switch st {
		case registry.StatusSuspended:
			it.Severity = "warn"
		case registry.StatusWithdrawn:
			it.Severity = "bad"
		}
		if n := len(hist); n > 0 && !hist[n-1].EffectiveFrom.IsZero() && !hist[n-1].EffectiveFrom.Equal(it.At) &&
			hist[n-1].EffectiveFrom.Sub(it.At).Abs() > time.Second {
			it.Effect = hist[n-1].EffectiveFrom
		}
	}
}
