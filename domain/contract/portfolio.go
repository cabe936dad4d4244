package contract

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/register"
)

// PortfolioFilter selects the lines of the portfolio clause audit. Every
// part that is set must hold.
type PortfolioFilter struct {
	VendorID    string
	Tier        register.Tier         // the vendor's effective tier
	Status      AuditStatus           // the verdict
	Requirement string                // a requirement of the policy, by id
	Kind        ClauseRequirementKind // what the requirement asks for
}

// AuditedContract is an active contract as the portfolio audit reads it:
// with its vendor (ID, name and the fields its effective tier comes from)
// and the vendor's data handling, from which the facts are derived.
type AuditedContract struct {
	Contract
	Vendor   register.Vendor
	Handling []register.DataHandling
}

// PortfolioCursor positions the portfolio audit's keyset: the contract
// (by its vendor's name key, then its id) and the index, in the policy, of
// the last requirement already shown for it (-1: none yet).
type PortfolioCursor struct {
	VendorKey   string
	ContractID  string
	Requirement int
}

// PortfolioStore reads the active contracts in the portfolio audit's order
// (part of ContractStore).
type PortfolioStore interface {
	// ActiveContracts returns up to limit active contracts whose vendor
	// matches f (VendorID, Tier), ordered by the vendor's name key then
	// the contract id, starting at from (inclusive; nil: the first), each
	// with its vendor and the vendor's data handling. Two or three
	// statements per call, whatever the number of rows.
	ActiveContracts(ctx context.Context, f PortfolioFilter, from *PortfolioCursor, limit int) ([]AuditedContract, error)
}

// PortfolioLine is one line of the portfolio clause audit: a requirement
// that applies to an active contract's vendor, judged against that
// contract with its clause in force now.
type PortfolioLine struct {
	Contract   Contract
	VendorName string
	Tier       register.Tier // the vendor's effective tier
	Clause     *ClauseVersion
	Finding    ClauseFinding
}

// PortfolioPage is one page of the portfolio clause audit. Next is "" on
// the last page. Partial says the page stopped at its reading budget
// before it was full: Next continues the search from the contract where
// it stopped.
type PortfolioPage struct {
	Lines    []PortfolioLine
	Next     string
	Partial  bool
	Searched int // contracts read for this page
}

// Reading budget of a portfolio audit page: contracts per statement, and
// how many a page reads before it stops (Partial, at the end of the batch
// that reaches it) when the filter on the verdict or requirement matches
// few lines.
const (
	portfolioBatch  = 500
	portfolioBudget = 20 * portfolioBatch
)

// CheckPortfolioFilter validates a filter against the policy, naming the
// query parameter at fault.
func (p ClausePolicy) CheckPortfolioFilter(f PortfolioFilter) error {
	var fe domain.FieldErrors
	if f.VendorID != "" && !domain.ValidID(f.VendorID) {
		fe.Add("vendor_id", "must be a vendor id (UUID)")
	}
	if f.Tier != "" && !f.Tier.Valid() {
		fe.Add("tier", "must be one of critical, high, moderate, low")
	}
	if f.Status != "" && !slices.Contains(AuditStatuses, f.Status) {
		fe.Add("outcome", "must be one of met, too_weak, missing")
	}
	if f.Requirement != "" && !slices.ContainsFunc(p.Requirements, func(r ClauseRequirement) bool { return r.ID == f.Requirement }) {
		fe.Add("requirement", "must be the id of a requirement of the clause policy (GET /api/v1/clause-policy)")
	}
	if f.Kind != "" && !slices.Contains(RequirementKinds, f.Kind) {
		fe.Add("kind", "must be one of %s", strings.Join(kindNames(), ", "))
	}
	return fe.Err()
}

// AuditStatuses are the verdicts, worst first.
var AuditStatuses = []AuditStatus{AuditMissing, AuditTooWeak, AuditMet}

// RequirementKinds are the kinds of clause requirements.
var RequirementKinds = []ClauseRequirementKind{RequireBreachWindow, RequireSecurityStandard, RequireRightToAudit,
	RequireBAA, RequireDPA, RequireSubprocessor, RequireDataReturn}

func kindNames() []string {
	out := make([]string, len(RequirementKinds))
	for i, k := range RequirementKinds {
		out[i] = string(k)
	}
	return out
}

// PortfolioAudit judges every active contract against every requirement
// that applies to its vendor (met, too weak, missing), in the order of the
// vendors' names, one page at a time. It reads the contracts in keyset
// batches with their clauses in force (one statement per batch each) and
// judges them with EvaluateRequirement, as the contract clause audit does;
// the filter on the vendor and tier is applied in the database, those on
// the verdict and requirement to the judged lines. A page stops once it
// has read portfolioBudget contracts: a filter that matches few lines
// returns a partial page whose Next continues the search.
func (s *ContractService) PortfolioAudit(ctx context.Context, f PortfolioFilter, p domain.PageRequest) (PortfolioPage, error) {
	if err := s.Policy.CheckPortfolioFilter(f); err != nil {
		return PortfolioPage{}, err
	}
	var from *PortfolioCursor
	if p.After != "" {
		c, err := parsePortfolioCursor(p.After)
		if err != nil {
			return PortfolioPage{}, err
		}
		from = &c
	}
	size, now := p.Size(), s.Clock.Now()
	var out PortfolioPage
	for {
		batch, err := s.Contracts.ActiveContracts(ctx, f, from, portfolioBatch)
		if err != nil {
			return PortfolioPage{}, fmt.Errorf("portfolio clause audit: %w", err)
		}
		ids := make([]string, len(batch))
		for i, c := range batch {
			ids[i] = c.ID
		}
		clauses, err := s.Clauses.InForce(ctx, ids, now)
		if err != nil {
			return PortfolioPage{}, fmt.Errorf("portfolio clause audit: %w", err)
		}
		for _, c := range batch {
			skip := -1
			if from != nil && from.ContractID == c.ID {
				skip = from.Requirement
			} else {
				out.Searched++
			}
			var clause *ClauseVersion
			if v, ok := clauses[c.ID]; ok {
				clause = &v
			}
			facts := register.FactsFor(c.Vendor, c.Handling)
			for i, r := range s.Policy.Requirements {
				if i <= skip || !r.When.Matches(facts) || (f.Requirement != "" && r.ID != f.Requirement) ||
					(f.Kind != "" && r.Require != f.Kind) {
					continue
				}
				fd := s.Policy.EvaluateRequirement(r, c.Contract, clause)
				if f.Status != "" && fd.Status != f.Status {
					continue
				}
				if len(out.Lines) == size {
					// A further line exists: the page ends at the last one.
					last := out.Lines[size-1]
					out.Next = portfolioCursor(last.VendorName, last.Contract.ID, slices.IndexFunc(s.Policy.Requirements,
						func(r ClauseRequirement) bool { return r.ID == last.Finding.Requirement.ID }))
					return out, nil
				}
				out.Lines = append(out.Lines, PortfolioLine{Contract: c.Contract, VendorName: c.Vendor.Name,
					Tier: facts.Tier, Clause: clause, Finding: fd})
			}
		}
		if len(batch) < portfolioBatch {
			return out, nil
		}
		last := batch[len(batch)-1]
		from = &PortfolioCursor{VendorKey: register.NameKey(last.Vendor.Name), ContractID: last.ID,
			Requirement: len(s.Policy.Requirements)}
		if out.Searched >= portfolioBudget {
			out.Partial = true
			out.Next = portfolioCursor(last.Vendor.Name, last.ID, len(s.Policy.Requirements))
			return out, nil
		}
	}
}

// portfolioCursor writes a cursor: the contract id, the requirement index
// and the vendor's name key, separated by spaces (the key comes last, as
// it may hold spaces itself).
func portfolioCursor(vendorName, contractID string, requirement int) string {
	return contractID + " " + strconv.Itoa(requirement) + " " + register.NameKey(vendorName)
}

func parsePortfolioCursor(s string) (PortfolioCursor, error) {
	parts := strings.SplitN(s, " ", 3)
	if len(parts) == 3 && domain.ValidID(parts[0]) {
		if n, err := strconv.Atoi(parts[1]); err == nil && n >= -1 {
			return PortfolioCursor{ContractID: parts[0], Requirement: n, VendorKey: parts[2]}, nil
		}
	}
	return PortfolioCursor{}, domain.Invalid("cursor", "is not a cursor from this list")
}
