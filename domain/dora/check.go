package dora

import (
	"context"
	"fmt"
	"strings"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// The kinds of rule the pre-flight check applies. The EBA rejects a
// package on four technical rules (805 empty primary key, 806 duplicate
// primary key, 807 foreign key, 808 filing indicator; shared/reference
// regulatory-facts.md §6); the others are its business rules for mandatory
// values, the LEI's form and dates.
const (
	RuleMandatory = "mandatory"   // a mandatory value is missing
	RuleKeyEmpty  = "key_empty"   // 805: a primary-key column is empty
	RuleKeyUnique = "key_unique"  // 806: two rows share a primary key
	RuleReference = "reference"   // 807: a key refers to a row that is not there
	RuleLEI       = "lei"         // an LEI fails its ISO 17442 check digits
	RuleDate      = "date"        // dates out of order
	RuleCondition = "conditional" // a value required by another one is missing
)

// Issue is one thing the check found, with where to fix it.
type Issue struct {
	Template string `json:"template"` // e.g. B_02.02
	Column   string `json:"column"`   // e.g. c0080
	Rule     string `json:"rule"`
	// Subject is what to edit: entity, vendor, contract or function; and
	// SubjectID its id (an LEI, a vendor or contract id, entity/function).
	Subject   string `json:"subject"`
	SubjectID string `json:"subject_id"`
	// Key is the row's key as the template writes it.
	Key     string `json:"key"`
	Message string `json:"message"`
}

// MaxIssues is how many issues a report lists; beyond it only counts grow.
const MaxIssues = 5000

// Report is the outcome of the pre-flight check.
type Report struct {
	EntityLEI     string  `json:"entity_lei"`
	Level         Level   `json:"level"`
	ReferenceDate string  `json:"reference_date"`
	Errors        int     `json:"errors"`
	Issues        []Issue `json:"issues"`
	// Truncated: more than MaxIssues were found; Errors counts them all.
	Truncated bool `json:"truncated"`
	// Rows counts the rows each template would write.
	Rows map[string]int `json:"rows"`
}

// Clean reports whether the package may be built.
func (r Report) Clean() bool { return r.Errors == 0 }

// Summary is the report in one sentence.
func (r Report) Summary() string {
	if r.Clean() {
		return "The register is ready to file: no errors."
	}
	return fmt.Sprintf("The register has %s to fix before it is filed.", domain.Count(r.Errors, "error", "errors"))
}

type checker struct {
	r         *Report
	sc        Scope
	refs      map[string]bool // B_02.01 keys
	providers map[string]bool // B_05.01 keys (id|type)
	functions map[FunctionRef]bool
	pk        map[string]map[string]bool
	// subsequents are the subsequent arrangements whose overarching
	// reference is checked once B_02.01 is read.
	subsequents []ArrangementRow
	// pendingParents are the ultimate parents to find in B_05.01 once it is read.
	pendingParents []pendingParent
}

func (c *checker) add(i Issue) {
	c.r.Errors++
	if len(c.r.Issues) >= MaxIssues {
		c.r.Truncated = true
		return
	}
	c.r.Issues = append(c.r.Issues, i)
}

func (c *checker) unique(template, key string, i Issue) {
	set := c.pk[template]
	if set == nil {
		set = map[string]bool{}
		c.pk[template] = set
	}
	if set[key] {
		i.Template, i.Column, i.Rule, i.Key = template, "c0010", RuleKeyUnique, key
		i.Message = "Another row of " + template + " has the same key " + key + "."
		c.add(i)
	}
	set[key] = true
}

func partyKey(p Party) string { return p.ID() + "|" + p.IDType() }

// Check runs the pre-flight check of the register for sc: every template's
// rows are read once, in an order that lets each reference be checked
// against the keys of the template it names.
func Check(ctx context.Context, src Source, filer Entity, sc Scope) (Report, error) {
	r := Report{EntityLEI: sc.EntityLEI, Level: sc.Level, ReferenceDate: sc.ReferenceDate.String(), Rows: map[string]int{},
		Issues: []Issue{}}
	c := &checker{r: &r, sc: sc, refs: map[string]bool{}, providers: map[string]bool{}, functions: map[FunctionRef]bool{},
		pk: map[string]map[string]bool{}}
	c.filer(filer)
	steps := []func() error{
		func() error { return src.Entities(ctx, sc, c.entity) },
		func() error { return src.Arrangements(ctx, sc, c.arrangement) },
		func() error { return src.Providers(ctx, sc, c.provider) },
		func() error { return src.Functions(ctx, sc, c.function) },
		c.overarching,
		func() error { return src.ServiceFunctions(ctx, sc, c.service) },
		func() error { return src.SupplyChain(ctx, sc, c.chain) },
		func() error { return src.Assessments(ctx, sc, c.assessment) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return Report{}, fmt.Errorf("dora check: %w", err)
		}
	}
	if r.Rows["B_05.01"] > 0 {
		c.parents()
	}
	return r, nil
}

func (c *checker) filer(e Entity) {
	c.r.Rows["B_01.01"] = 1
	base := Issue{Template: "B_01.01", Subject: "entity", SubjectID: e.LEI, Key: e.LEI}
	c.mandatory(base, "c0010", e.LEI, "LEI of the entity maintaining the register")
	c.lei(base, "c0010", e.LEI)
	c.mandatory(base, "c0020", e.Name, "name")
	c.mandatory(base, "c0030", e.Country, "country")
	c.mandatory(base, "c0040", e.EntityType, "type of entity")
	c.mandatory(base, "c0050", e.CompetentAuthority, "competent authority")
}

func (c *checker) entity(e Entity) error {
	c.r.Rows["B_01.02"]++
	base := Issue{Template: "B_01.02", Subject: "entity", SubjectID: e.LEI, Key: e.LEI}
	c.lei(base, "c0010", e.LEI)
	c.unique("B_01.02", e.LEI, base)
	c.mandatory(base, "c0050", e.Hierarchy, "hierarchy of the entity within the group")
	if e.Hierarchy != "" && e.Hierarchy != "ultimate_parent" {
		c.mandatory(base, "c0060", e.ParentLEI, "LEI of the direct parent undertaking")
	}
	c.lei(base, "c0060", e.ParentLEI)
	if e.TotalAssetsMinor == nil && e.EntityType != "x317" && e.EntityType != "x318" {
		c.mandatory(base, "c0110", "", "value of total assets (a financial entity)")
	}
	return nil
}

func (c *checker) arrangement(a ArrangementRow) error {
	c.r.Rows["B_02.01"]++
	base := Issue{Template: "B_02.01", Subject: "contract", SubjectID: a.ContractID, Key: a.Reference}
	if a.Reference == "" {
		c.add(withRule(base, "c0010", RuleKeyEmpty, "The contractual arrangement reference number is empty."))
	}
	c.unique("B_02.01", a.Reference, base)
	c.refs[a.Reference] = true
	if a.Type == "subsequent" {
		if a.OverarchingRef == "" {
			c.add(withRule(base, "c0030", RuleCondition, "A subsequent arrangement must name its overarching arrangement."))
		} else {
			c.subsequents = append(c.subsequents, a)
		}
	}
	if a.Expense == nil {
		c.mandatory(base, "c0050", "", "annual expense or estimated cost")
	}
	c.r.Rows["B_03.01"]++
	c.r.Rows["B_04.01"]++
	p := Issue{Template: "B_03.02", Subject: "vendor", SubjectID: a.Provider.VendorID, Key: a.Reference}
	if a.Provider.ID() == "" {
		c.add(withRule(p, "c0020", RuleKeyEmpty, "The provider has neither an LEI nor an EUID."))
	}
	c.r.Rows["B_03.02"]++
	return nil
}

// overarching checks, once every arrangement is read, that each subsequent
// arrangement's overarching reference is an arrangement of B_02.01.
func (c *checker) overarching() error {
	for _, a := range c.subsequents {
		if !c.refs[a.OverarchingRef] {
			c.add(Issue{Template: "B_02.01", Column: "c0030", Rule: RuleReference, Subject: "contract", SubjectID: a.ContractID,
				Key: a.Reference, Message: "The overarching arrangement " + a.OverarchingRef + " is not in B_02.01."})
		}
	}
	return nil
}

func (c *checker) provider(p ProviderRow) error {
	c.r.Rows["B_05.01"]++
	key := partyKey(p.Party)
	base := Issue{Template: "B_05.01", Subject: "vendor", SubjectID: p.VendorID, Key: p.ID()}
	if p.ID() == "" {
		c.add(withRule(base, "c0010", RuleKeyEmpty, "The provider "+p.Name+" has neither an LEI nor an EUID."))
	} else {
		c.unique("B_05.01", key, base)
	}
	c.lei(base, "c0010", p.LEI)
	c.providers[key] = true
	c.mandatory(base, "c0050", p.Name, "name of the provider")
	c.mandatory(base, "c0070", p.PersonType, "type of person of the provider")
	c.mandatory(base, "c0080", p.HQCountry, "country of the provider's headquarters")
	if p.Parent.VendorID != "" {
		if p.Parent.ID() == "" {
			c.add(withRule(base, "c0110", RuleMandatory, "The ultimate parent undertaking has neither an LEI nor an EUID."))
		} else {
			c.pendingParents = append(c.pendingParents, pendingParent{p.VendorID, p.ID(), partyKey(p.Parent), p.Parent.ID()})
		}
	}
	return nil
}

func (c *checker) function(f Function) error {
	c.r.Rows["B_06.01"]++
	ref := FunctionRef{EntityLEI: f.EntityLEI, FunctionID: f.FunctionID}
	base := Issue{Template: "B_06.01", Subject: "function", SubjectID: f.EntityLEI + "/" + f.FunctionID, Key: f.FunctionID}
	c.unique("B_06.01", f.EntityLEI+"|"+f.FunctionID, base)
	c.functions[ref] = true
	c.mandatory(base, "c0020", f.LicensedActivity, "licensed activity")
	c.mandatory(base, "c0050", f.Criticality, "criticality or importance assessment")
	if f.LastAssessedOn.IsZero() {
		c.mandatory(base, "c0070", "", "date of the last assessment of criticality or importance")
	} else if f.LastAssessedOn.After(c.sc.ReferenceDate) {
		c.add(withRule(base, "c0070", RuleDate, "The last assessment is after the reference date "+c.sc.ReferenceDate.String()+"."))
	}
	if f.RTOHours == nil {
		c.mandatory(base, "c0080", "", "recovery time objective (hours)")
	}
	if f.RPOHours == nil {
		c.mandatory(base, "c0090", "", "recovery point objective (hours)")
	}
	c.mandatory(base, "c0100", f.DiscontinuationImpact, "impact of discontinuing the function")
	return nil
}

// serviceRow counts a row of template (B_02.02 or B_07.01) about an ICT
// service and checks its arrangement and its provider (in providerColumn),
// returning the issue its other checks start from.
func (c *checker) serviceRow(template, providerColumn string, s ServiceRow) Issue {
	c.r.Rows[template]++
	base := Issue{Template: template, Subject: "contract", SubjectID: s.ContractID, Key: s.Reference + " " + s.ServiceType}
	if !c.refs[s.Reference] {
		c.add(withRule(base, "c0010", RuleReference, "The arrangement "+s.Reference+" is not in B_02.01."))
	}
	c.reference(base, providerColumn, s.Provider)
	return base
}

func (c *checker) service(s ServiceRow) error {
	base := c.serviceRow("B_02.02", "c0030", s)
	if s.Function.FunctionID == "" {
		c.add(withRule(base, "c0050", RuleKeyEmpty, "The ICT service "+s.ServiceType+" supports no function: name the functions it supports."))
	} else if !c.functions[s.Function] {
		c.add(withRule(base, "c0050", RuleReference, "The function "+s.Function.FunctionID+" of "+s.Function.EntityLEI+" is not in B_06.01."))
	}
	c.unique("B_02.02", strings.Join([]string{s.Reference, s.EntityLEI, partyKey(s.Provider), s.Function.FunctionID, s.ServiceType}, "|"), base)
	if s.Start.IsZero() {
		c.mandatory(base, "c0070", "", "start date")
	}
	if !s.End.IsZero() && !s.Start.IsZero() && !s.End.After(s.Start) {
		c.add(withRule(base, "c0080", RuleDate, "The end date "+s.End.String()+" is not after the start date "+s.Start.String()+"."))
	}
	if !s.End.IsZero() && !s.End.After(c.sc.ReferenceDate) && s.TerminationReason == "" {
		c.add(withRule(base, "c0090", RuleCondition, "The arrangement ended on "+s.End.String()+": give the reason of the termination or ending."))
	}
	if s.FunctionCritical {
		if s.NoticeEntityDays == nil {
			c.mandatory(base, "c0100", "", "notice period for the financial entity (a critical or important function)")
		}
		if s.NoticeProviderDays == nil {
			c.mandatory(base, "c0110", "", "notice period for the provider (a critical or important function)")
		}
		c.mandatory(base, "c0120", s.GoverningLawCountry, "country of the governing law (a critical or important function)")
		c.mandatory(base, "c0130", s.ProvisionCountry, "country of provision (a critical or important function)")
		if s.StoresData == nil {
			c.mandatory(base, "c0140", "", "storage of data (a critical or important function)")
		}
		c.mandatory(base, "c0180", s.Reliance, "level of reliance (a critical or important function)")
	}
	if s.StoresData != nil && *s.StoresData {
		c.mandatory(base, "c0150", s.StorageCountry, "location of the data at rest (the service stores data)")
		if s.FunctionCritical {
			c.mandatory(base, "c0170", s.Sensitivity, "sensitiveness of the data stored")
		}
	}
	return nil
}

func (c *checker) chain(r ChainRow) error {
	c.r.Rows["B_05.02"]++
	base := Issue{Template: "B_05.02", Subject: "vendor", SubjectID: r.Provider.VendorID, Key: r.Reference + " " + r.ServiceType}
	if !c.refs[r.Reference] {
		c.add(withRule(base, "c0010", RuleReference, "The arrangement "+r.Reference+" is not in B_02.01."))
	}
	c.reference(base, "c0030", r.Provider)
	c.reference(base, "c0060", r.Recipient)
	c.unique("B_05.02", strings.Join([]string{r.Reference, r.ServiceType, partyKey(r.Provider), partyKey(r.Recipient),
		fmt.Sprint(r.Rank)}, "|"), base)
	return nil
}

func (c *checker) assessment(s ServiceRow) error {
	base := c.serviceRow("B_07.01", "c0020", s)
	c.unique("B_07.01", strings.Join([]string{s.Reference, partyKey(s.Provider), s.ServiceType}, "|"), base)
	c.mandatory(base, "c0050", s.Substitutability, "substitutability of the provider")
	if s.Substitutability == "not_substitutable" || s.Substitutability == "highly_complex" {
		c.mandatory(base, "c0060", s.NotSubstitutableReason, "reason the provider is not or hardly substitutable")
	}
	if s.LastAuditOn.IsZero() {
		c.mandatory(base, "c0070", "", "date of the last audit of the provider")
	} else if s.LastAuditOn.After(c.sc.ReferenceDate) {
		c.add(withRule(base, "c0070", RuleDate, "The last audit is after the reference date "+c.sc.ReferenceDate.String()+"."))
	}
	if s.ExitPlan == nil {
		c.mandatory(base, "c0080", "", "existence of an exit plan")
	}
	c.mandatory(base, "c0090", s.Reintegration, "possibility of reintegration")
	c.mandatory(base, "c0100", s.DiscontinuationImpact, "impact of discontinuing the ICT service")
	c.mandatory(base, "c0110", s.Alternatives, "whether alternative providers are identified")
	return nil
}

// reference checks that a provider named by a row is in B_05.01.
func (c *checker) reference(base Issue, column string, p Party) {
	base.Subject, base.SubjectID = "vendor", p.VendorID
	if p.ID() == "" {
		c.add(withRule(base, column, RuleKeyEmpty, "The provider has neither an LEI nor an EUID."))
		return
	}
	if !c.providers[partyKey(p)] {
		c.add(withRule(base, column, RuleReference, "The provider "+p.ID()+" is not in B_05.01."))
	}
}

type pendingParent struct{ vendorID, key, parentKey, parentID string }

// parents checks that each ultimate parent named in B_05.01 has a row of
// its own (the most frequent 807 of the 2025 collection).
func (c *checker) parents() {
	for _, p := range c.pendingParents {
		if !c.providers[p.parentKey] {
			c.add(Issue{Template: "B_05.01", Column: "c0110", Rule: RuleReference, Subject: "vendor", SubjectID: p.vendorID,
				Key: p.key, Message: "The ultimate parent " + p.parentID + " is not in B_05.01."})
		}
	}
}

func (c *checker) mandatory(base Issue, column, value, what string) {
	if strings.TrimSpace(value) == "" {
		c.add(withRule(base, column, RuleMandatory, "Missing: "+what+"."))
	}
}

func (c *checker) lei(base Issue, column, lei string) {
	if lei == "" {
		return
	}
	if err := register.ValidLEI(lei); err != nil {
		c.add(withRule(base, column, RuleLEI, "The LEI "+lei+" "+err.Error()+"."))
	}
}

func withRule(base Issue, column, rule, msg string) Issue {
	base.Column, base.Rule, base.Message = column, rule, msg
	return base
}
