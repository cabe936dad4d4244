package seedgen

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/attestation"
	"github.com/vendorwatch/vendorwatch/domain/contract"
	"github.com/vendorwatch/vendorwatch/domain/incident"
	"github.com/vendorwatch/vendorwatch/domain/register"
	"github.com/vendorwatch/vendorwatch/domain/review"
)

// seedGen generates the rows of a seeded portfolio. Every vendor draws from
// its own PCG stream (seed, vendor index), so a vendor's rows do not depend
// on how the work is cut into batches; ids come from one counter in
// generation order.
type seedGen struct {
	opt      Options
	seed     uint64
	asOf     time.Time
	today    domain.Date // the date of asOf
	importAt time.Time   // when the seeded rows were "recorded": an hour before asOf
	latest   time.Time   // no seeded event happens after this
	idBaseMs int64
	counter  uint64
}

func newSeedGen(opt Options) *seedGen {
	importAt := opt.AsOf.Add(-time.Hour)
	return &seedGen{opt: opt, seed: uint64(opt.Seed), asOf: opt.AsOf, today: domain.DateOf(opt.AsOf),
		importAt: importAt, latest: importAt.Add(-time.Hour), idBaseMs: importAt.UnixMilli()}
}

// id returns the next UUIDv7-shaped id and its creation instant. The 48-bit
// timestamp is importAt plus counter/4096 milliseconds and rand_a holds
// counter%4096 (RFC 9562 §6.2 method 1, a dedicated counter), so ids sort
// in creation order; rand_b is a hash of the seed and the counter.
func (g *seedGen) id() (string, time.Time) {
	n := g.counter
	g.counter++
	ms := g.idBaseMs + int64(n>>12)
	var u uuid.UUID
	u[0], u[1], u[2], u[3], u[4], u[5] = byte(ms>>40), byte(ms>>32), byte(ms>>24), byte(ms>>16), byte(ms>>8), byte(ms)
	u[6] = 0x70 | byte(n>>8)&0x0f
	u[7] = byte(n)
	binary.BigEndian.PutUint64(u[8:], splitmix64(g.seed*0x9e3779b97f4a7c15^n))
	u[8] = u[8]&0x3f | 0x80
	return u.String(), time.UnixMilli(ms).UTC()
}

func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// weighted picks an index with probability proportional to its weight.
func weighted(r *rand.Rand, weights ...int) int {
	total := 0
	for _, w := range weights {
		total += w
	}
	x := r.IntN(total)
	for i, w := range weights {
		if x < w {
			return i
		}
		x -= w
	}
	return len(weights) - 1
}

func earliest(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

// between returns an instant uniformly in [a, b), whole seconds.
func between(r *rand.Rand, a, b time.Time) time.Time {
	if !b.After(a) {
		return a
	}
	return a.Add(time.Duration(r.Int64N(int64(b.Sub(a))))).Truncate(time.Second)
}

var (
	seedNameA = []string{"Acme", "Apex", "Arbor", "Atlas", "Beacon", "Birch", "Blue", "Bright", "Cedar", "Cobalt",
		"Contoso", "Copper", "Crest", "Delta", "Ember", "Evergreen", "Fabrikam", "Falcon", "Globex", "Granite", "Harbor",
		"Helix", "Initech", "Iron", "Juniper", "Keystone", "Lumen", "Maple", "Meridian", "Northwind", "Nova", "Oak",
		"Orbit", "Pinnacle", "Quartz", "Redwood", "Sable", "Summit", "Tailspin", "Umbra", "Vertex", "Willow", "Zenith"}
	seedNameB = []string{"Analytics", "Cloud", "Data", "Health", "Hosting", "Labs", "Logistics", "Marketing", "Networks",
		"Payments", "Payroll", "Security", "Software", "Solutions", "Systems", "Telecom", "Benefits", "Support", "Media",
		"Identity", "Storage", "Billing", "Insights", "Messaging"}
	seedServices = []string{"Customer-service chat widget", "Payroll and benefits administration",
		"Infrastructure hosting", "Email campaign analytics", "Payment processing", "Identity and single sign-on",
		"Document storage and e-signature", "Customer support ticketing", "Background checks", "Data warehouse",
		"Call-centre outsourcing", "Office supplies", "Facilities management", "Legal e-discovery",
		"Health plan administration", "Fraud screening", "Logistics and shipping", "Penetration testing",
		"Recruiting platform", "Managed security monitoring"}
	seedOwners = []string{"procurement@example.com", "it@example.com", "security@example.com", "hr@example.com",
		"finance@example.com", "marketing@example.com", "platform@example.com", "support@example.com",
		"legal@example.com", "ecommerce@example.com"}
	seedCountries      = []string{"US", "GB", "IE", "DE", "FR", "NL", "CA", "IN", "AU", "SG", "SE", "ES", "IL", "JP"}
	seedCountryWeights = []int{55, 10, 5, 7, 4, 3, 4, 5, 2, 1, 1, 1, 1, 1}
	seedJurisdictions  = []string{"US", "US-CA", "US-NY", "US-TX", "US-FL", "US-IL", "US-WA", "US-MA", "US-CO",
		"EU", "GB", "DE", "FR", "CA", "IN", "AU"}
	seedJurisdictionWeights = []int{30, 14, 8, 6, 4, 3, 3, 3, 2, 14, 8, 3, 2, 3, 2, 2}
	seedSystems             = []string{"crm", "billing", "support-desk", "hr-core", "data-warehouse", "checkout",
		"identity", "marketing-automation", "erp"}
	// Categories and how often a vendor handling data handles each.
	seedCategories = []string{register.CatContactPII, register.CatCardholderData, register.CatSensitiveAuthData,
		register.CatSSN, register.CatDriversLicense, register.CatFinancialAccount, register.CatHealthPHI, register.CatCredentials,
		register.CatBiometric, register.CatChatTranscripts, register.CatEmployeeRecords}
	seedCategoryWeights = []int{40, 8, 2, 6, 5, 7, 6, 10, 2, 6, 8}
	seedReviewers       = []string{"A. Rivera", "B. Chen", "C. Okafor", "D. Novak", "E. Haddad", "F. Lindqvist",
		"G. Moreau", "H. Tanaka"}
	seedAuditors   = []string{"Ashford & Vale LLP", "Brightline Assurance", "Carver Audit Partners", "Dunmore CPAs"}
	seedCertBodies = []string{"Certa Registrar", "Global Standards Certification", "Northbridge Certification"}
	seedTesters    = []string{"Redline Security", "Bastion Labs", "Sentry Offensive Security"}
	seedScopes     = []string{"Production SaaS platform", "Corporate IT", "Payment environment (CDE)",
		"Customer support operations", "Hosting infrastructure", "Entire organisation"}
	seedIncidentTitles = []string{"Ransomware on file servers", "Credential stuffing against customer portal",
		"Misconfigured storage bucket exposed records", "Phishing compromise of a support account",
		"Stolen laptop with unencrypted data", "Insider misuse of customer data", "Third-party library compromise",
		"Unauthorised API access through leaked token", "Database exposed without authentication",
		"Business email compromise"}
	seedContractTitles = []string{"Master Services Agreement", "SaaS Subscription Agreement",
		"Data Processing Agreement", "Outsourcing Agreement", "Professional Services Agreement"}
	seedLaws = []string{"New York", "Delaware", "California", "England and Wales", "Ireland", "Germany"}
)

// tierWeights gives the share of each target tier (critical, high,
// moderate, low): the generator draws the tier first and then inputs that
// produce it.
var seedTierWeights = []int{10, 25, 40, 25}

// riskProposal is one draw of a vendor's risk inputs.
type riskProposal struct {
	crit    register.Criticality
	cats    []string
	records []int64
}

func (g *seedGen) proposeRisk(r *rand.Rand, target register.Tier) riskProposal {
	crits := []register.Criticality{register.CriticalityCritical, register.CriticalityHigh, register.CriticalityModerate,
		register.CriticalityLow}
	var critW []int
	var nCats int
	var lo, hi float64 // log10 of record counts
	switch target {
	case register.TierCritical:
		critW, nCats, lo, hi = []int{50, 40, 10, 0}, 1+weighted(r, 35, 35, 20, 10), 4, 8
	case register.TierHigh:
		critW, nCats, lo, hi = []int{15, 40, 35, 10}, 1+weighted(r, 45, 35, 15, 5), 2.5, 7
	case register.TierModerate:
		critW, nCats, lo, hi = []int{3, 17, 45, 35}, 1+weighted(r, 60, 30, 10), 1, 6
	default:
		critW, nCats, lo, hi = []int{0, 10, 40, 50}, weighted(r, 85, 15), 0.5, 2
	}
	p := riskProposal{crit: crits[weighted(r, critW...)]}
	for len(p.cats) < nCats {
		c := seedCategories[weighted(r, seedCategoryWeights...)]
		if target == register.TierLow {
			c = register.CatContactPII
		}
		if slices.Contains(p.cats, c) {
			continue
		}
		p.cats = append(p.cats, c)
		p.records = append(p.records, max(1, int64(math.Pow(10, lo+r.Float64()*(hi-lo)))))
	}
	return p
}

func (p riskProposal) inputs() register.RiskInputs {
	in := register.RiskInputs{Criticality: p.crit}
	for i, c := range p.cats {
		cat, _ := register.LookupCategory(c)
		in.MaxSensitivity = max(in.MaxSensitivity, cat.Sensitivity)
		in.MaxRecords = max(in.MaxRecords, p.records[i])
	}
	return in
}

// seedVendorCtx is what the children of a vendor need to know about it.
type seedVendorCtx struct {
	id       string
	name     string
	status   register.VendorStatus
	tier     register.Tier
	handling []register.DataHandling
	cands    []incident.ClauseCandidate
}

// batch generates vendors [start, end).
func (g *seedGen) batch(start, end int) *seedBatch {
	b := &seedBatch{start: start, end: end}
	if start == 0 {
		g.providers(b)
	}
	ids := make([]string, 0, end-start)
	for i := start; i < end; i++ {
		r := rand.New(rand.NewPCG(g.seed, uint64(i)))
		parent := ""
		if off := i % seedBatchVendors; off > 0 && chance(r, 0.03) {
			parent = ids[i-start-1-r.IntN(off)]
		}
		ids = append(ids, g.vendor(r, i, parent, b))
	}
	return b
}

func (g *seedGen) vendor(r *rand.Rand, i int, parent string, b *seedBatch) string {
	id, created := g.id()
	target := register.Tiers[weighted(r, seedTierWeights...)]
	var prop riskProposal
	var risk register.InherentRisk
	for range 64 {
		prop = g.proposeRisk(r, target)
		if risk = register.ComputeInherentRisk(prop.inputs()); risk.Tier == target {
			break
		}
	}
	in := prop.inputs()
	a, bn := pick(r, seedNameA), pick(r, seedNameB)
	name := fmt.Sprintf("%s %s %06d", a, bn, i+1)
	country := seedCountries[weighted(r, seedCountryWeights...)]
	form := map[string]string{"US": "Inc.", "GB": "Ltd", "IE": "Ltd", "DE": "GmbH", "NL": "B.V.", "FR": "SAS"}[country]
	if form == "" {
		form = "Ltd"
	}
	v := register.Vendor{ID: id, Name: name, LegalName: a + " " + bn + " " + form,
		Website:    "https://" + strings.ToLower(a+bn) + fmt.Sprintf("%06d", i+1) + ".example.com",
		Service:    pick(r, seedServices),
		OwnerEmail: pick(r, seedOwners),
		Status: []register.VendorStatus{register.StatusActive, register.StatusOnboarding, register.StatusProspect,
			register.StatusOffboarding, register.StatusTerminated}[weighted(r, 72, 8, 6, 4, 10)],
		Criticality: prop.crit, Country: country, ParentVendorID: parent,
		ExternalRef:    fmt.Sprintf("seed-%d-%d", g.opt.Seed, i+1),
		Risk:           risk,
		MaxSensitivity: in.MaxSensitivity, MaxRecords: in.MaxRecords, Version: 1, CreatedAt: created, UpdatedAt: created}
	if chance(r, 0.02) {
		v.TierOverride = register.Tiers[r.IntN(len(register.Tiers))]
		v.TierOverrideReason = "Synthetic override: risk accepted by the committee"
	}
	vc := seedVendorCtx{id: id, name: name, status: v.Status, tier: v.Tier()}

	// Data handling.
	for k, c := range prop.cats {
		access := []register.Access{register.AccessProcesses, register.AccessStores, register.AccessTransmits}
		mask := 1 + r.IntN(7)
		var acc []register.Access
		for j, a := range access {
			if mask&(1<<j) != 0 {
				acc = append(acc, a)
			}
		}
		var jur []string
		for range 1 + weighted(r, 50, 35, 15) {
			jur = append(jur, seedJurisdictions[weighted(r, seedJurisdictionWeights...)])
		}
		slices.Sort(jur)
		h := register.DataHandling{VendorID: id, Category: c, Access: acc, RecordCount: prop.records[k],
			Jurisdictions: slices.Compact(jur), Systems: []string{pick(r, seedSystems)}, CreatedAt: created,
			UpdatedAt: created}
		vc.handling = append(vc.handling, h)
		b.rows.Handling = append(b.rows.Handling, h)
	}
	slices.SortFunc(vc.handling, func(x, y register.DataHandling) int { return strings.Compare(x.Category, y.Category) })

	// Contracts and clauses; candidates are the clause versions of
	// non-draft contracts, as Clauses.ByVendor returns them.
	nContracts := weighted(r, 8, 90, 2)
	used := map[domain.Date]bool{}
	for k := range nContracts {
		g.contract(r, &vc, k, used, b)
	}
	slices.SortStableFunc(vc.cands, func(x, y incident.ClauseCandidate) int {
		return x.Clause.EffectiveFrom.Compare(y.Clause.EffectiveFrom)
	})

	// Attestations: 3 to 7, about 5.
	for range 3 + r.IntN(5) {
		g.attestation(r, &vc, b)
	}

	// Reviews: 70% of vendors, oldest first.
	if chance(r, 0.70) {
		n := 1 + weighted(r, 60, 30, 10)
		last := g.today.AddDays(-1 - r.IntN(730))
		dates := []domain.Date{last}
		for range n - 1 {
			dates = append(dates, dates[len(dates)-1].AddDays(-300-r.IntN(150)))
		}
		slices.Reverse(dates)
		for _, d := range dates {
			g.review(r, &vc, d, b)
		}
		v.LastReviewOn = last
	}

	// Incidents: half of the vendors.
	if chance(r, 0.50) {
		for range 1 + weighted(r, 85, 12, 3) {
			g.incident(r, &vc, b)
		}
	}

	g.dependencies(i, &vc, created, b)
	b.rows.Vendors = append(b.rows.Vendors, v)
	return id
}

func (g *seedGen) contract(r *rand.Rand, vc *seedVendorCtx, k int, used map[domain.Date]bool, b *seedBatch) {
	id, created := g.id()
	eff := g.today.AddDays(-30 - r.IntN(6*365))
	for used[eff] { // distinct effective instants keep the candidates' order total
		eff = eff.AddDays(-1)
	}
	used[eff] = true
	c := contract.Contract{ID: id, VendorID: vc.id, Title: seedContractTitles[(k+r.IntN(len(seedContractTitles)))%len(seedContractTitles)],
		Reference: fmt.Sprintf("AGR-%d-%05d", eff.Time().Year(), r.IntN(100000)), EffectiveOn: eff,
		AutoRenew: chance(r, 0.6), RenewalNoticeDays: []int{0, 30, 60, 90}[r.IntN(4)], GoverningLaw: pick(r, seedLaws),
		RightToAudit: chance(r, 0.7), SubprocessorApproval: chance(r, 0.6), DataReturnOrDestruction: chance(r, 0.75),
		Version: 1, CreatedAt: created, UpdatedAt: created}
	if chance(r, 0.8) {
		c.ExpiresOn = eff.AddMonths(12 * (1 + r.IntN(3))).AddDays(-1)
	}
	switch {
	case chance(r, 0.02):
		c.Status = contract.ContractDraft
	case vc.status == register.StatusTerminated:
		c.Status = contract.ContractTerminated
	case !c.ExpiresOn.IsZero() && c.ExpiresOn.Before(g.today):
		c.Status = contract.ContractExpired
	default:
		c.Status = contract.ContractActive
	}
	if chance(r, 0.8) {
		c.AnnualValue = &domain.Money{AmountMinor: int64(math.Pow(10, 6+3*r.Float64())), Currency: "USD"}
	}
	if chance(r, 0.5) {
		c.CyberInsuranceMin = &domain.Money{AmountMinor: []int64{100_000_000, 500_000_000, 1_000_000_000}[r.IntN(3)],
			Currency: "USD"}
	}
	for _, h := range vc.handling {
		switch h.Category {
		case register.CatHealthPHI:
			c.BAA = true
		case register.CatCardholderData, register.CatSensitiveAuthData:
			c.SecurityStandard = "PCI DSS v4.0.1"
		}
		c.DPA = true
	}
	if c.SecurityStandard == "" && chance(r, 0.5) {
		c.SecurityStandard = []string{"ISO/IEC 27001:2022", "SOC 2", "NIST CSF 2.0"}[r.IntN(3)]
	}
	b.rows.Contracts = append(b.rows.Contracts, c)

	if chance(r, 0.03) {
		return // no breach-notification clause
	}
	from := eff.Time()
	var versions []contract.ClauseVersion
	first := contract.ClauseVersion{ContractID: id, EffectiveFrom: from, Terms: g.terms(r), Reason: "Original terms"}
	// 5% were amended once: the first version closes when the second opens.
	if span := g.latest.Sub(from); chance(r, 0.05) && span > 120*24*time.Hour {
		at := between(r, from.Add(90*24*time.Hour), g.latest.Add(-24*time.Hour)).Truncate(24 * time.Hour)
		first.EffectiveTo = &at
		versions = append(versions, first,
			contract.ClauseVersion{ContractID: id, EffectiveFrom: at, Terms: g.terms(r), Reason: "Amendment No. 1"})
	} else {
		versions = append(versions, first)
	}
	for _, cv := range versions {
		cv.ID, cv.CreatedAt = g.id()
		cv.CreatedBy = seedActor
		b.rows.Clauses = append(b.rows.Clauses, cv)
		if c.Status != contract.ContractDraft {
			vc.cands = append(vc.cands, incident.ClauseCandidate{ContractID: id, Clause: cv})
		}
	}
}

// terms draws breach-notification terms: 24, 48, 72 or 168 hours, 30
// calendar days, 5 business days, or "without undue delay".
func (g *seedGen) terms(r *rand.Rand) contract.ClauseTerms {
	t := contract.ClauseTerms{
		Trigger: []contract.ClauseTrigger{contract.TriggerDiscovery, contract.TriggerConfirmation,
			contract.TriggerReasonableBelief, contract.TriggerAwareness}[weighted(r, 50, 25, 15, 10)],
		Notify:           []contract.Recipient{{Role: "Security", Email: "security@example.com"}},
		UpdateEveryHours: []int{0, 24, 72}[r.IntN(3)],
	}
	switch weighted(r, 15, 15, 30, 10, 8, 10, 12) {
	case 0:
		t.Window = &domain.Window{Value: 24, Unit: domain.UnitHours}
	case 1:
		t.Window = &domain.Window{Value: 48, Unit: domain.UnitHours}
	case 2:
		t.Window = &domain.Window{Value: 72, Unit: domain.UnitHours}
	case 3:
		t.Window = &domain.Window{Value: 168, Unit: domain.UnitHours}
	case 4:
		t.Window = &domain.Window{Value: 30, Unit: domain.UnitCalendarDays}
	case 5:
		t.Window = &domain.Window{Value: 5, Unit: domain.UnitBusinessDays}
	default:
		t.Standard = contract.StandardWithoutUndueDelay
	}
	if chance(r, 0.5) {
		t.RequiredContent = "Nature of the breach, categories and approximate number of records, likely consequences, measures taken."
	}
	return t
}

var seedKinds = []attestation.AttestationKind{attestation.KindSOC2Type2, attestation.KindSOC2Type1, attestation.KindSOC1Type2,
	attestation.KindPCIDSSAOC, attestation.KindISO27001, attestation.KindHITRUSTR2, attestation.KindPentest, attestation.KindSIG, attestation.KindCAIQ,
	attestation.KindInsuranceCertificate, attestation.KindBridgeLetter}

var seedKindWeights = []int{22, 4, 5, 8, 12, 3, 14, 10, 5, 12, 5}

// attestation draws one attestation whose expiry is uniform in
// [asOf-180d, asOf+912d] (the benchmark dataset's spread: about 19% expire
// within 30 days or already have).
func (g *seedGen) attestation(r *rand.Rand, vc *seedVendorCtx, b *seedBatch) {
	id, created := g.id()
	kind := seedKinds[weighted(r, seedKindWeights...)]
	info, _ := attestation.LookupAttestationKind(kind)
	expires := g.today.AddDays(-180 + r.IntN(1093))
	a := attestation.Attestation{ID: id, VendorID: vc.id, Kind: kind, Scope: pick(r, seedScopes),
		Version: 1, CreatedAt: created, UpdatedAt: created}
	byPeriod := info.Anchor == attestation.AnchorPeriodEnd
	yesterday := g.today.AddDays(-1)
	if info.ValidityMonths != nil {
		anchor := expires.AddMonths(-*info.ValidityMonths)
		if !anchor.After(yesterday.AddDays(-60)) {
			// The catalogue's expiry from a past anchor.
			if byPeriod {
				a.PeriodEnd = anchor
				a.IssuedOn = anchor.AddDays(15 + r.IntN(45))
			} else {
				a.IssuedOn = anchor
			}
			a.ExpiresOnSource = attestation.ExpiryCatalogue
			a.ExpiresOn, _, _ = info.DefaultExpiry(a)
		}
	}
	if a.ExpiresOn.IsZero() {
		// An explicit expiry: issued recently, valid longer than usual.
		a.ExpiresOnSource, a.ExpiresOn = attestation.ExpiryExplicit, expires
		a.IssuedOn = yesterday.AddDays(-r.IntN(300))
		if a.IssuedOn.After(expires) {
			a.IssuedOn = expires
		}
		if byPeriod {
			a.PeriodEnd = a.IssuedOn.AddDays(-15 - r.IntN(45))
		}
	}
	if byPeriod {
		switch kind {
		case attestation.KindSOC2Type1:
			a.PeriodStart = a.PeriodEnd
		case attestation.KindBridgeLetter:
			a.PeriodStart = a.PeriodEnd.AddMonths(-3).AddDays(1)
		default:
			a.PeriodStart = a.PeriodEnd.AddMonths(-12).AddDays(1)
		}
	}
	switch kind {
	case attestation.KindSOC2Type2, attestation.KindSOC2Type1, attestation.KindSOC1Type2:
		a.Issuer = pick(r, seedAuditors)
		a.Opinion = []attestation.AttestationOpinion{attestation.OpinionUnqualified, attestation.OpinionQualified,
			attestation.OpinionAdverse, attestation.OpinionDisclaimer}[weighted(r, 85, 10, 3, 2)]
		if kind != attestation.KindSOC2Type1 && chance(r, 0.3) {
			a.ExceptionsCount = 1 + r.Int64N(8)
		}
	case attestation.KindISO27001, attestation.KindHITRUSTR2, attestation.KindPCIDSSAOC:
		a.Issuer = pick(r, seedCertBodies)
	case attestation.KindPentest:
		a.Issuer = pick(r, seedTesters)
	default:
		a.Issuer = vc.name
	}
	a.ReviewStatus = []attestation.AttestationReviewStatus{attestation.AttestationAccepted, attestation.AttestationUnderReview,
		attestation.AttestationReceived, attestation.AttestationRejected}[weighted(r, 60, 15, 15, 10)]
	if a.ReviewStatus != attestation.AttestationReceived {
		a.Reviewer = pick(r, seedReviewers)
	}
	if a.ReviewStatus == attestation.AttestationAccepted || a.ReviewStatus == attestation.AttestationRejected {
		at := a.IssuedOn.Time().Add(time.Duration(1+r.IntN(30))*24*time.Hour + 10*time.Hour)
		if at.After(g.latest) {
			at = g.latest
		}
		a.ReviewedAt = &at
	}
	b.rows.Attestations = append(b.rows.Attestations, a)
}

func (g *seedGen) review(r *rand.Rand, vc *seedVendorCtx, on domain.Date, b *seedBatch) {
	id, created := g.id()
	residual := vc.tier
	if i := slices.Index(register.Tiers, residual); chance(r, 0.4) && i < len(register.Tiers)-1 {
		residual = register.Tiers[i+1] // controls brought it down a tier
	}
	rv := review.Review{ID: id, VendorID: vc.id, PerformedOn: on, Reviewer: pick(r, seedReviewers),
		Outcome: []review.ReviewOutcome{review.OutcomeApproved, review.OutcomeApprovedWithConditions,
			review.OutcomeRejected}[weighted(r, 70, 25, 5)],
		ResidualRisk: residual, CreatedBy: seedActor, Version: 1, CreatedAt: created, UpdatedAt: created}
	b.rows.Reviews = append(b.rows.Reviews, rv)
}

// incident draws an incident discovered in the three years before asOf,
// and after the vendor's first breach-notification clause took effect:
// the vendor's notice follows after an Exp(30 h) lag, except 5% never
// notified and 1% very late (7 to 247 days); a notice that would fall
// after asOf has not come yet.
func (g *seedGen) incident(r *rand.Rand, vc *seedVendorCtx, b *seedBatch) {
	id, created := g.id()
	// Mostly while a clause was in force: after the vendor's first one.
	from := g.latest.Add(-3 * 365 * 24 * time.Hour)
	if len(vc.cands) > 0 {
		if first := vc.cands[0].Clause.EffectiveFrom.Add(24 * time.Hour); first.After(from) && first.Before(g.latest) {
			from = first
		}
	}
	discovered := between(r, from, g.latest)
	inc := incident.Incident{ID: id, VendorID: vc.id, Title: pick(r, seedIncidentTitles),
		Description: "Synthetic incident generated by vendorwatch seed.", VendorDiscoveredAt: discovered,
		Version: 1, CreatedBy: seedActor, CreatedAt: created, UpdatedAt: created, Residents: map[string]int64{}}
	if chance(r, 0.7) {
		start := discovered.Add(-time.Duration(1+r.IntN(60*24)) * time.Hour)
		inc.ExposureStart = &start
		if chance(r, 0.5) {
			end := between(r, start, discovered)
			inc.ExposureEnd = &end
		}
	}
	var notified *time.Time
	switch u := r.Float64(); {
	case u < 0.05:
	case u < 0.06:
		t := discovered.Add(time.Duration(7+r.IntN(241)) * 24 * time.Hour).Add(time.Duration(r.IntN(86400)) * time.Second)
		notified = &t
	default:
		t := discovered.Add(time.Duration(r.ExpFloat64() * float64(30*time.Hour))).Truncate(time.Second)
		notified = &t
	}
	if notified != nil && notified.After(g.latest) {
		notified = nil // not yet
	}
	inc.VendorNotifiedUsAt = notified
	others := []incident.LearnedVia{incident.ViaPress, incident.ViaCustomer, incident.ViaLawEnforcement, incident.ViaMonitoring,
		incident.ViaOther}
	switch {
	case notified != nil && chance(r, 0.85):
		inc.LearnedVia, inc.WeLearnedAt = incident.ViaVendorNotice, *notified
	case notified != nil:
		inc.LearnedVia, inc.WeLearnedAt = others[weighted(r, 30, 25, 5, 30, 10)], between(r, discovered, *notified)
	default:
		learned := discovered.Add(time.Duration(r.ExpFloat64() * float64(48*time.Hour))).Truncate(time.Second)
		inc.LearnedVia, inc.WeLearnedAt = others[weighted(r, 30, 25, 5, 30, 10)], earliest(learned, g.latest)
	}
	// What was affected: by default everything the vendor handles.
	inc.Categories = []string{}
	for _, h := range vc.handling {
		if len(vc.handling) == 1 || chance(r, 0.8) {
			inc.Categories = append(inc.Categories, h.Category)
		}
	}
	var jur []string
	var records int64
	for _, h := range vc.handling {
		if slices.Contains(inc.Categories, h.Category) {
			jur = append(jur, h.Jurisdictions...)
			records = max(records, h.RecordCount)
		}
	}
	slices.Sort(jur)
	inc.Jurisdictions = slices.Compact(append([]string{}, jur...))
	if records > 0 && chance(r, 0.4) {
		inc.RecordsAffected = 1 + r.Int64N(records)
	} else {
		inc.RecordsAffected, inc.RecordsEstimated = records, true
	}
	if chance(r, 0.1) {
		t := earliest(inc.WeLearnedAt.Add(time.Duration(1+r.IntN(10))*24*time.Hour), g.latest)
		inc.MaterialityDeterminedAt = &t
	}
	inc.VendorIsAgent = chance(r, 0.1)
	switch age := g.asOf.Sub(discovered); {
	case age > 60*24*time.Hour:
		inc.Status = []incident.IncidentStatus{incident.IncidentClosed, incident.IncidentContained,
			incident.IncidentOpen}[weighted(r, 80, 15, 5)]
	case age > 14*24*time.Hour:
		inc.Status = []incident.IncidentStatus{incident.IncidentClosed, incident.IncidentContained,
			incident.IncidentOpen}[weighted(r, 30, 50, 20)]
	default:
		inc.Status = []incident.IncidentStatus{incident.IncidentContained, incident.IncidentOpen}[weighted(r, 40, 60)]
	}
	if best, due, ok := incident.NoticeDue(discovered, vc.cands, g.opt.Standards, g.opt.Calendar); ok {
		inc.NoticeContractID, inc.NoticeClauseID, inc.NoticeDueAt = best.ContractID, best.Clause.ID, &due
	}
	facts := incident.IncidentFacts{VendorDiscoveredAt: inc.VendorDiscoveredAt, VendorNotifiedUsAt: inc.VendorNotifiedUsAt,
		WeLearnedAt: inc.WeLearnedAt, MaterialityDeterminedAt: inc.MaterialityDeterminedAt,
		VendorIsAgent: inc.VendorIsAgent, Categories: inc.Categories, Jurisdictions: inc.Jurisdictions,
		RecordsAffected: inc.RecordsAffected, Residents: inc.Residents}
	inc.LawNoticeRegimeID, inc.LawNoticeDueAt = incident.LawNoticeDue(g.opt.Catalogue.VendorDuties(facts,
		incident.AssessOptions{Profile: g.opt.Profile, Calendar: g.opt.Calendar}, g.latest))
	b.rows.Incidents = append(b.rows.Incidents, inc)
	b.rows.RegimeChecks = append(b.rows.RegimeChecks, g.obligations(r, inc, facts, b))
	b.rows.Timeline = append(b.rows.Timeline, incident.TimelineEntry{IncidentID: id, Seq: 1, At: created,
		Actor: "vendorwatch seed", Action: "incident recorded",
		Text:       "Synthetic incident generated by vendorwatch seed (learned via " + string(inc.LearnedVia) + ").",
		RecordedBy: seedActor, RecordedAt: created})
}

// obligations stores what the catalogue gives the incident and returns the
// regimes it checked and did not apply. For a closed incident every
// obligation whose clock has started is marked done (a tenth of them
// late), and the assessment is repeated with those completions so chained
// obligations start from them, as the service would.
func (g *seedGen) obligations(r *rand.Rand, inc incident.Incident, facts incident.IncidentFacts, b *seedBatch) []incident.RegimeCheck {
	done := map[string]time.Time{}
	assess := func() incident.Assessment {
		return g.opt.Catalogue.Assess(facts, incident.AssessOptions{Profile: g.opt.Profile, Calendar: g.opt.Calendar, Done: done})
	}
	a := assess()
	specs := a.Obligations
	for range 4 {
		if inc.Status != incident.IncidentClosed {
			break
		}
		changed := false
		for _, s := range specs {
			if _, ok := done[s.RegimeID]; ok || s.AnchorAt == nil || s.AnchorAt.After(g.latest) {
				continue
			}
			end := s.AnchorAt.Add(time.Duration(1+r.IntN(20)) * 24 * time.Hour)
			if s.DueAt != nil {
				f := 0.2 + 0.75*r.Float64()
				if chance(r, 0.1) {
					f = 1.05 + r.Float64()
				}
				end = s.AnchorAt.Add(time.Duration(f * float64(s.DueAt.Sub(*s.AnchorAt))))
			}
			done[s.RegimeID] = earliest(end, g.latest).Truncate(time.Second)
			changed = true
		}
		if !changed {
			break
		}
		a = assess()
		specs = a.Obligations
	}
	for _, s := range specs {
		id, created := g.id()
		o := incident.Obligation{ID: id, IncidentID: inc.ID, RegimeID: s.RegimeID, Regime: s.Regime.Regime,
			Citation: s.Regime.Citation, SourceStatus: s.Regime.Status, Recipient: s.Recipient, Anchor: s.Anchor,
			AnchorAt: s.AnchorAt, DueAt: s.DueAt, DeadlineText: s.DeadlineText, Title: s.Title,
			WorkingDueAt: s.WorkingDueAt, WorkingDeadlineText: s.WorkingDeadlineText, Notes: s.Notes,
			Status: incident.ObligationOpen, SetBy: incident.SetBySystem, Version: 1, CreatedAt: created, UpdatedAt: created}
		if o.Notes == nil {
			o.Notes = []string{}
		}
		if t, ok := done[s.RegimeID]; ok {
			o.Status, o.DoneAt, o.SetBy, o.Evidence = incident.ObligationDone, &t, seedActor, "synthetic"
		}
		b.rows.Obligations = append(b.rows.Obligations, o)
	}
	return a.NotApplied
}
