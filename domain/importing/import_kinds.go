package importing

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/attestation"
	"github.com/vendorwatch/vendorwatch/domain/contract"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// sameJSON reports whether two values snapshot to the same JSON.
func sameJSON(a, b any) bool { return bytes.Equal(domain.Snapshot(a), domain.Snapshot(b)) }

// ---- vendors ----

type vendorImporter struct {
	s        *ImportService
	seenRef  map[string]int // external_ref -> first row
	seenName map[string]int // name key -> first row
}

type vendorOp struct {
	create bool
	before register.Vendor
	after  register.Vendor
}

func (k *vendorImporter) plan(ctx context.Context, rows []*importRow) error {
	var refs, names []string
	for _, r := range rows {
		if ref := r.cells["external_ref"]; ref != "" {
			refs = append(refs, ref)
		}
		if n := register.NameKey(r.cells["name"]); n != "" {
			names = append(names, n)
		}
	}
	found, err := k.s.Imports.VendorsByKeys(ctx, refs, names)
	if err != nil {
		return err
	}
	byRef, byName := map[string]register.Vendor{}, map[string]register.Vendor{}
	for _, v := range found {
		if v.ExternalRef != "" {
			byRef[v.ExternalRef] = v
		}
		byName[register.NameKey(v.Name)] = v
	}
	for _, r := range rows {
		k.planRow(r, byRef, byName)
	}
	return nil
}

func (k *vendorImporter) planRow(r *importRow, byRef, byName map[string]register.Vendor) {
	ref, key := r.cells["external_ref"], register.NameKey(r.cells["name"])
	if ref != "" {
		if first, dup := k.seenRef[ref]; dup {
			r.fail("external_ref", "duplicates row %d: each vendor may appear once in a file", first)
		} else {
			k.seenRef[ref] = r.result.Row
		}
	}
	if key != "" {
		if first, dup := k.seenName[key]; dup {
			r.fail("name", "duplicates row %d: each vendor may appear once in a file", first)
		} else {
			k.seenName[key] = r.result.Row
		}
	}
	in := register.VendorInput{Name: r.text("name"), LegalName: r.text("legal_name"), Website: r.text("website"),
		Service: r.text("service"), OwnerEmail: r.text("owner_email"), Country: r.text("country"),
		TierOverrideReason: r.text("tier_override_reason"),
		Status:             enumCell(r, "status", register.VendorStatus.Valid, register.VendorStatusNames),
		Criticality:        enumCell(r, "criticality", register.Criticality.Valid, "critical, high, moderate, low")}
	if ref != "" { // an empty cell never clears a stored external_ref
		in.ExternalRef = &ref
	}
	if r.has("tier_override") {
		t := register.Tier(strings.ToLower(r.cells["tier_override"]))
		if t != "" && !t.Valid() {
			r.fail("tier_override", "must be one of critical, high, moderate, low")
		}
		in.TierOverride = &t
	}
	var target *register.Vendor
	if ref != "" {
		if v, ok := byRef[ref]; ok {
			target = &v
		}
	}
	if target == nil && key != "" {
		if v, ok := byName[key]; ok {
			if ref != "" && v.ExternalRef != "" && v.ExternalRef != ref {
				r.fail("name", "is the name of the vendor with external_ref %q, not %q", v.ExternalRef, ref)
				return
			}
			target = &v
		}
	}
	if target != nil && key != "" {
		if other, ok := byName[key]; ok && other.ID != target.ID {
			r.fail("name", "is taken by another vendor (external_ref %q)", other.ExternalRef)
		}
	}
	if target == nil {
		now := k.s.Clock.Now()
		v := register.Vendor{ID: domain.NewID(), Status: register.DefaultVendorStatus, Criticality: register.DefaultVendorCriticality, Version: 1, CreatedAt: now, UpdatedAt: now}
		if err := v.Apply(in); err != nil {
			_ = r.addErr(err, nil)
		}
		if r.failed() {
			return
		}
		r.result.Status, r.result.Key, r.op = RowCreate, v.ID, vendorOp{create: true, after: v}
		return
	}
	r.result.Key = target.ID
	after := *target
	if err := after.Apply(in); err != nil {
		_ = r.addErr(err, nil)
	}
	if r.failed() {
		return
	}
	if sameJSON(*target, after) {
		r.result.Status = RowUnchanged
		return
	}
	r.result.Status, r.op = RowUpdate, vendorOp{before: *target, after: after}
}

func (k *vendorImporter) apply(ctx context.Context, rows []*importRow) error {
	now := k.s.Clock.Now()
	actor := domain.ActorFrom(ctx)
	var creates []register.Vendor
	var events []domain.AuditEvent
	event := func(action, id string, before, after any) {
		events = append(events, domain.AuditEvent{ID: domain.NewID(), At: now, ActorID: actor.ID, ActorName: actor.Name,
			Action: action, Entity: "vendor", EntityID: id, RequestID: domain.RequestIDFrom(ctx),
			Before: domain.Snapshot(before), After: domain.Snapshot(after)})
	}
	for _, r := range rows {
		op, ok := r.op.(vendorOp)
		if !ok {
			continue
		}
		if op.create {
			op.after.CreatedAt, op.after.UpdatedAt = now, now
			creates = append(creates, op.after)
			event("vendor.create", op.after.ID, nil, op.after)
			continue
		}
		op.after.UpdatedAt = now
		if err := k.s.Vendors.Vendors.Update(ctx, op.after, op.before.Version); err != nil {
			return fmt.Errorf("row %d: update vendor: %w", r.result.Row, err)
		}
		op.after.Version = op.before.Version + 1
		event("vendor.update", op.after.ID, op.before, op.after)
	}
	if len(creates) > 0 {
		if err := k.s.Imports.CreateVendors(ctx, creates); err != nil {
			return fmt.Errorf("create vendors: %w", err)
		}
	}
	return k.s.Imports.AppendAudit(ctx, events)
}

// ---- vendor references (the vendor column of the other kinds) ----

type vendorResolver struct {
	store ImportStore
	known map[string]*register.Vendor // cell value -> vendor (nil: none)
}

func newVendorResolver(st ImportStore) *vendorResolver {
	return &vendorResolver{store: st, known: map[string]*register.Vendor{}}
}

// resolve looks up, in one set-based read, every vendor value of the batch
// not seen before: by external_ref first, then by name (case-insensitive).
func (vr *vendorResolver) resolve(ctx context.Context, rows []*importRow) error {
	var vals, keys []string
	for _, r := range rows {
		v := r.cells["vendor"]
		if _, ok := vr.known[v]; ok || v == "" {
			continue
		}
		vr.known[v] = nil
		vals, keys = append(vals, v), append(keys, register.NameKey(v))
	}
	if len(vals) == 0 {
		return nil
	}
	found, err := vr.store.VendorsByKeys(ctx, vals, keys)
	if err != nil {
		return err
	}
	byRef, byName := map[string]*register.Vendor{}, map[string]*register.Vendor{}
	for i := range found {
		v := &found[i]
		if v.ExternalRef != "" {
			byRef[v.ExternalRef] = v
		}
		byName[register.NameKey(v.Name)] = v
	}
	for _, val := range vals {
		if v, ok := byRef[val]; ok {
			vr.known[val] = v
		} else if v, ok := byName[register.NameKey(val)]; ok {
			vr.known[val] = v
		}
	}
	return nil
}

// vendor returns the row's vendor, or fails the row.
func (vr *vendorResolver) vendor(r *importRow) *register.Vendor {
	val := r.cells["vendor"]
	if val == "" {
		r.fail("vendor", "is required: the vendor's external_ref or name")
		return nil
	}
	v := vr.known[val]
	if v == nil {
		r.fail("vendor", "no vendor has the external_ref or name %q; import vendors first", val)
	}
	return v
}

// ---- data handling ----

type handlingImporter struct {
	s        *ImportService
	vendors  *vendorResolver
	seen     map[string]int
	existing map[string]map[string]register.DataHandling // vendor id -> category -> record
}

type handlingOp struct {
	vendorID string
	in       register.DataHandlingInput
}

func (k *handlingImporter) plan(ctx context.Context, rows []*importRow) error {
	if err := k.vendors.resolve(ctx, rows); err != nil {
		return err
	}
	for _, r := range rows {
		v := k.vendors.vendor(r)
		cat := r.cells["category"]
		if _, ok := register.LookupCategory(cat); !ok && cat != "" {
			cat = strings.ToLower(cat)
		}
		if v == nil {
			continue
		}
		key := v.ID + "/" + cat
		if first, dup := k.seen[key]; dup {
			r.fail("category", "duplicates row %d: each vendor and category may appear once in a file", first)
			continue
		}
		k.seen[key] = r.result.Row
		hs, ok := k.existing[v.ID]
		if !ok {
			list, err := k.s.Vendors.Handling.ListByVendor(ctx, v.ID)
			if err != nil {
				return err
			}
			hs = map[string]register.DataHandling{}
			for _, h := range list {
				hs[h.Category] = h
			}
			k.existing[v.ID] = hs
		}
		before, exists := hs[cat]
		in := register.DataHandlingInput{Category: cat, Access: handlingAccess(before), RecordCount: before.RecordCount,
			Jurisdictions: before.Jurisdictions, Systems: before.Systems, Notes: before.Notes}
		if r.has("access") {
			in.Access = []string{}
			for _, a := range r.list("access") {
				in.Access = append(in.Access, strings.ToLower(a))
			}
		}
		if n := r.integer("record_count"); n != nil {
			in.RecordCount = *n
		}
		if r.has("jurisdictions") {
			in.Jurisdictions = r.list("jurisdictions")
		}
		if r.has("systems") {
			in.Systems = r.list("systems")
		}
		if t := r.text("notes"); t != nil {
			in.Notes = *t
		}
		h, err := register.NewDataHandling(v.ID, in)
		if err != nil {
			if err := r.addErr(err, nil); err != nil {
				return err
			}
		}
		if r.failed() {
			continue
		}
		r.result.Key = key
		switch {
		case !exists:
			r.result.Status = RowCreate
		case sameJSON(handlingContent(before), handlingContent(h)):
			r.result.Status = RowUnchanged
			continue
		default:
			r.result.Status = RowUpdate
		}
		r.op = handlingOp{vendorID: v.ID, in: in}
	}
	return nil
}

// handlingAccess is h's access as the strings an input carries.
func handlingAccess(h register.DataHandling) []string {
	out := make([]string, len(h.Access))
	for i, a := range h.Access {
		out[i] = string(a)
	}
	return out
}

// handlingContent is what an import compares: the record without its
// timestamps.
func handlingContent(h register.DataHandling) register.DataHandling {
	h.CreatedAt, h.UpdatedAt = time.Time{}, time.Time{}
	if h.Jurisdictions == nil {
		h.Jurisdictions = []string{}
	}
	if h.Systems == nil {
		h.Systems = []string{}
	}
	return h
}

func (k *handlingImporter) apply(ctx context.Context, rows []*importRow) error {
	for _, r := range rows {
		op, ok := r.op.(handlingOp)
		if !ok {
			continue
		}
		if _, _, err := k.s.Vendors.PutHandling(ctx, op.vendorID, op.in); err != nil {
			return fmt.Errorf("row %d: %w", r.result.Row, err)
		}
	}
	return nil
}

// ---- contracts ----

type contractImporter struct {
	s        *ImportService
	vendors  *vendorResolver
	seen     map[string]int
	existing map[string][]contract.ContractView // vendor id -> contracts
}

type contractOp struct {
	id      string // "" to create
	version int64
	in      contract.ContractInput
	terms   *contract.ClauseTerms
}

func contractField(f string) string {
	switch {
	case f == "breach_notification.window", strings.HasPrefix(f, "breach_notification.window.value"):
		return "breach_window_value"
	case strings.HasPrefix(f, "breach_notification.window"):
		return "breach_window_unit"
	case strings.HasPrefix(f, "breach_notification.notify"):
		return "breach_notify"
	case strings.HasPrefix(f, "breach_notification."):
		return "breach_" + strings.TrimPrefix(f, "breach_notification.")
	case strings.HasPrefix(f, "annual_value."):
		return "annual_value"
	case strings.HasPrefix(f, "cyber_insurance_min."):
		return "cyber_insurance_min"
	case f == "vendor_id":
		return "vendor"
	}
	return f
}

var breachFields = []string{"breach_window_value", "breach_window_unit", "breach_standard", "breach_trigger",
	"breach_notify", "breach_update_every_hours", "breach_required_content"}

// terms reads the breach-notification clause columns; nil when they are
// all absent or empty (the clause is then left as it is).
func contractTerms(r *importRow) *contract.ClauseTerms {
	set := false
	for _, f := range breachFields {
		if r.cells[f] != "" {
			set = true
		}
	}
	if !set {
		return nil
	}
	t := &contract.ClauseTerms{Notify: []contract.Recipient{}}
	if n := r.integer("breach_window_value"); n != nil && *n != 0 {
		t.Window = &domain.Window{Value: int(*n), Unit: domain.WindowUnit(strings.ToLower(r.cells["breach_window_unit"]))}
	}
	t.Standard = contract.NotificationStandard(strings.ToLower(r.cells["breach_standard"]))
	t.Trigger = contract.ClauseTrigger(strings.ToLower(r.cells["breach_trigger"]))
	if rs, err := ParseRecipients(r.cells["breach_notify"]); err != nil {
		r.fail("breach_notify", "%s", err.Error())
	} else {
		t.Notify = rs
	}
	t.RequiredContent = r.cells["breach_required_content"]
	if n := r.integer("breach_update_every_hours"); n != nil {
		t.UpdateEveryHours = int(*n)
	}
	return t
}

func (k *contractImporter) plan(ctx context.Context, rows []*importRow) error {
	if err := k.vendors.resolve(ctx, rows); err != nil {
		return err
	}
	if k.existing == nil {
		k.existing = map[string][]contract.ContractView{}
	}
	for _, r := range rows {
		v := k.vendors.vendor(r)
		if v == nil {
			continue
		}
		cs, ok := k.existing[v.ID]
		if !ok {
			list, err := k.s.Contracts.Contracts.ListByVendor(ctx, v.ID)
			if err != nil {
				return err
			}
			if cs, err = k.s.Contracts.WithClauses(ctx, list, k.s.Clock.Now()); err != nil {
				return err
			}
			k.existing[v.ID] = cs
		}
		k.planRow(ctx, r, v, cs)
	}
	return nil
}

func (k *contractImporter) planRow(ctx context.Context, r *importRow, v *register.Vendor, cs []contract.ContractView) {
	id, ref, title := r.cells["id"], r.cells["reference"], r.cells["title"]
	var target *contract.ContractView
	var matches []*contract.ContractView
	switch {
	case id != "":
		for i := range cs {
			if cs[i].ID == id {
				matches = append(matches, &cs[i])
			}
		}
		if len(matches) == 0 {
			r.fail("id", "no contract with id %s belongs to vendor %q; leave id empty to create one", id, v.Name)
			return
		}
	case ref != "":
		for i := range cs {
			if strings.EqualFold(cs[i].Reference, ref) {
				matches = append(matches, &cs[i])
			}
		}
	default:
		for i := range cs {
			if strings.EqualFold(cs[i].Title, title) && title != "" {
				matches = append(matches, &cs[i])
			}
		}
	}
	if len(matches) > 1 {
		r.fail("id", "%s of vendor %q match this row; give the contract id", domain.Count(len(matches), "contract", "contracts"), v.Name)
		return
	}
	if len(matches) == 1 {
		target = matches[0]
	}
	key := v.ID + "/" + register.NameKey(title)
	if ref != "" {
		key = v.ID + "/ref/" + strings.ToLower(ref)
	}
	if target != nil {
		key = target.ID
	}
	if first, dup := k.seen[key]; dup {
		r.fail(map[bool]string{true: "id", false: "title"}[id != ""], "duplicates row %d: each contract may appear once in a file", first)
		return
	}
	k.seen[key] = r.result.Row
	in := contract.ContractInput{Title: r.text("title"), Reference: r.text("reference"), GoverningLaw: r.text("governing_law"),
		Notes: r.text("notes"), SecurityStandard: r.text("security_standard"),
		Status:      enumCell(r, "status", contract.ContractStatus.Valid, "draft, active, expired, terminated"),
		EffectiveOn: r.date("effective_on"), ExpiresOn: r.date("expires_on"),
		AutoRenew: r.boolean("auto_renew"), RightToAudit: r.boolean("right_to_audit"),
		SubprocessorApproval: r.boolean("subprocessor_approval"), DataReturnOrDestruction: r.boolean("data_return_or_destruction"),
		DPA: r.boolean("dpa"), BAA: r.boolean("baa"),
		AnnualValue: r.money("annual_value", "annual_value_currency"), CyberInsuranceMin: r.money("cyber_insurance_min", "cyber_insurance_currency")}
	if n := r.integer("renewal_notice_days"); n != nil {
		d := int(*n)
		in.RenewalNoticeDays = &d
	}
	terms := contractTerms(r)
	if r.failed() {
		return
	}
	if target == nil {
		vid := v.ID
		in.VendorID = &vid
		c := contract.Contract{ID: domain.NewID(), Status: contract.ContractDraft}
		if err := domain.MergeInvalid(c.Apply(in), contract.CheckTerms(terms)); err != nil {
			_ = r.addErr(err, contractField)
			return
		}
		if r.forbidden(contract.CheckRole(ctx, nil, &c)) {
			return
		}
		r.result.Status, r.op = RowCreate, contractOp{in: in, terms: terms}
		return
	}
	r.result.Key = target.ID
	after := target.Contract
	if err := domain.MergeInvalid(after.Apply(in), contract.CheckTerms(terms)); err != nil {
		_ = r.addErr(err, contractField)
		return
	}
	sameTerms := terms == nil || (target.Clause != nil && sameJSON(target.Clause.Terms, *terms))
	if sameJSON(target.Contract, after) && sameTerms {
		r.result.Status = RowUnchanged
		return
	}
	if r.forbidden(contract.CheckRole(ctx, &target.Contract, &after)) {
		return
	}
	r.result.Status, r.op = RowUpdate, contractOp{id: target.ID, version: target.Version, in: in, terms: terms}
}

func (k *contractImporter) apply(ctx context.Context, rows []*importRow) error {
	for _, r := range rows {
		op, ok := r.op.(contractOp)
		if !ok {
			continue
		}
		if op.id == "" {
			c, err := k.s.Contracts.Create(ctx, op.in, op.terms)
			if err != nil {
				return fmt.Errorf("row %d: %w", r.result.Row, err)
			}
			r.result.Key = c.ID
			continue
		}
		if _, err := k.s.Contracts.Update(ctx, op.id, op.in, op.terms, op.version); err != nil {
			return fmt.Errorf("row %d: %w", r.result.Row, err)
		}
	}
	return nil
}

// ---- attestations ----

type attestationImporter struct {
	s        *ImportService
	vendors  *vendorResolver
	seen     map[string]int
	existing map[string][]attestation.Attestation
}

type attestationOp struct {
	id      string
	version int64
	in      attestation.AttestationInput
}

func (k *attestationImporter) plan(ctx context.Context, rows []*importRow) error {
	if err := k.vendors.resolve(ctx, rows); err != nil {
		return err
	}
	if k.existing == nil {
		k.existing = map[string][]attestation.Attestation{}
	}
	for _, r := range rows {
		v := k.vendors.vendor(r)
		if v == nil {
			continue
		}
		as, ok := k.existing[v.ID]
		if !ok {
			var err error
			if as, err = k.s.Attestations.Attestations.ListByVendor(ctx, v.ID); err != nil {
				return err
			}
			k.existing[v.ID] = as
		}
		k.planRow(r, v, as)
	}
	return nil
}

func (k *attestationImporter) planRow(r *importRow, v *register.Vendor, as []attestation.Attestation) {
	in := attestation.AttestationInput{Issuer: r.text("issuer"), Scope: r.text("scope"), Reviewer: r.text("reviewer"),
		Kind:         enumCell(r, "kind", attestation.AttestationKind.Valid, "the codes of GET /api/v1/attestation-kinds"),
		Opinion:      enumCell(r, "opinion", attestation.AttestationOpinion.Valid, "unqualified, qualified, adverse, disclaimer"),
		ReviewStatus: enumCell(r, "review_status", attestation.AttestationReviewStatus.Valid, "received, under_review, accepted, rejected"),
		PeriodStart:  r.date("period_start"), PeriodEnd: r.date("period_end"), IssuedOn: r.date("issued_on"),
		ExpiresOn: r.date("expires_on"), ExceptionsCount: r.integer("exceptions_count")}
	if r.has("opinion") && r.cells["opinion"] == "" {
		none := attestation.AttestationOpinion("")
		in.Opinion = &none
	}
	if r.failed() {
		return
	}
	id := r.cells["id"]
	var matches []*attestation.Attestation
	for i := range as {
		a := &as[i]
		switch {
		case id != "":
			if a.ID == id {
				matches = append(matches, a)
			}
		case in.Kind != nil && a.Kind == *in.Kind && sameDate(a.IssuedOn, in.IssuedOn) && sameDate(a.PeriodEnd, in.PeriodEnd):
			matches = append(matches, a)
		}
	}
	if id != "" && len(matches) == 0 {
		r.fail("id", "no attestation with id %s belongs to vendor %q; leave id empty to create one", id, v.Name)
		return
	}
	if len(matches) > 1 {
		r.fail("id", "%s of vendor %q match this row; give the attestation id", domain.Count(len(matches), "attestation", "attestations"), v.Name)
		return
	}
	var key string
	if len(matches) == 1 {
		key = matches[0].ID
	} else {
		key = fmt.Sprintf("%s/%s/%s/%s", v.ID, r.cells["kind"], r.cells["issued_on"], r.cells["period_end"])
	}
	if first, dup := k.seen[key]; dup {
		r.fail("kind", "duplicates row %d: each attestation may appear once in a file", first)
		return
	}
	k.seen[key] = r.result.Row
	if len(matches) == 0 {
		vid := v.ID
		in.VendorID = &vid
		a := attestation.Attestation{ID: domain.NewID(), ReviewStatus: attestation.AttestationReceived}
		if err := a.Apply(in); err != nil {
			_ = r.addErr(err, func(f string) string { return map[bool]string{true: "vendor", false: f}[f == "vendor_id"] })
			return
		}
		r.result.Status, r.op = RowCreate, attestationOp{in: in}
		return
	}
	before := *matches[0]
	r.result.Key = before.ID
	// An expiry equal to the stored one leaves it as it is (explicit or
	// from the catalogue), so an export imported back is unchanged.
	if in.ExpiresOn != nil && !in.ExpiresOn.IsZero() && in.ExpiresOn.String() == before.ExpiresOn.String() {
		in.ExpiresOn = nil
	}
	after := before
	if err := after.Apply(in); err != nil {
		_ = r.addErr(err, nil)
		return
	}
	if sameJSON(before, after) {
		r.result.Status = RowUnchanged
		return
	}
	r.result.Status, r.op = RowUpdate, attestationOp{id: before.ID, version: before.Version, in: in}
}

func sameDate(a domain.Date, b *domain.Date) bool {
	if b == nil {
		return a.IsZero()
	}
	return a.String() == b.String()
}

func (k *attestationImporter) apply(ctx context.Context, rows []*importRow) error {
	for _, r := range rows {
		op, ok := r.op.(attestationOp)
		if !ok {
			continue
		}
		if op.id == "" {
			a, err := k.s.Attestations.Create(ctx, op.in)
			if err != nil {
				return fmt.Errorf("row %d: %w", r.result.Row, err)
			}
			r.result.Key = a.ID
			continue
		}
		if _, err := k.s.Attestations.Update(ctx, op.id, op.in, op.version); err != nil {
			return fmt.Errorf("row %d: %w", r.result.Row, err)
		}
	}
	return nil
}
