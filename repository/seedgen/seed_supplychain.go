package seedgen

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/vendorwatch/vendorwatch/domain/register"
)

// The supply chain of a seeded portfolio (Options.Providers > 0): a pool
// of shared providers, fourth parties written with the first batch, each
// with a valid LEI and a domain; the first seedHyperscalers of them are
// the providers of others (provider k depends only on providers below k,
// so the graph has no cycle). Each vendor holding data (not a prospect)
// has 1 to 7 distinct providers (about 4), drawn with a Zipf law over the pool, so a few
// hundred providers are shared by many vendors, as in real life. Edges
// carry a subset of the vendor's categories. The supply chain draws from
// streams and ids of its own, so a portfolio's other rows are the same
// with or without it.

// seedHyperscalers is how many of the pool's first providers the others
// may depend on.
const seedHyperscalers = 20

// supplyChainTag separates the supply chain's random streams and ids from
// the vendors' own.
const supplyChainTag = 0x5c_0000_0000_0000

var (
	seedProviderNames = []string{"Nimbus", "Stratus", "Cirrus", "Vault", "Ledger", "Relay", "Beacon", "Harbor",
		"Keystone", "Quarry", "Signal", "Lattice", "Orchard", "Pylon", "Tundra"}
	seedProviderKinds = []string{"Cloud", "Hosting", "Payments", "Mail", "Analytics", "Support Desk", "Data Centres",
		"Messaging", "Storage", "CDN"}
	seedProviderServices = []register.ProvidedService{register.ServiceHosting, register.ServiceDataStorage,
		register.ServicePaymentProcessing, register.ServiceSupport, register.ServiceAnalytics,
		register.ServiceCommunications, register.ServiceOther}
	seedProviderServiceWeights = []int{30, 20, 10, 12, 12, 10, 6}
	seedSources                = []register.DependencySource{register.SourceContract, register.SourcePublishedList,
		register.SourceQuestionnaire, register.SourceManual}
	seedSourceWeights = []int{35, 40, 15, 10}
)

// sideID is a UUIDv7-shaped id of the supply chain, numbered n (below
// 2^62) on a counter of its own: importAt's millisecond, rand_a from the
// seed, rand_b n masked with a hash of the seed, so ids are distinct.
func (g *seedGen) sideID(n uint64) string {
	ms := g.idBaseMs
	h := splitmix64(g.seed ^ supplyChainTag)
	var u uuid.UUID
	u[0], u[1], u[2], u[3], u[4], u[5] = byte(ms>>40), byte(ms>>32), byte(ms>>24), byte(ms>>16), byte(ms>>8), byte(ms)
	u[6] = 0x70 | byte(h>>8)&0x0f
	u[7] = byte(h)
	binary.BigEndian.PutUint64(u[8:], n^(h>>2))
	u[8] = u[8]&0x3f | 0x80
	return u.String()
}

// providerID is the id of provider k of the pool.
func (g *seedGen) providerID(k int) string { return g.sideID(uint64(k)) }

// vendorEdgeID is the id of the j-th edge of vendor i.
func (g *seedGen) vendorEdgeID(i, j int) string { return g.sideID(1<<50 | uint64(i)<<4 | uint64(j)) }

// providerEdgeID is the id of the j-th edge of provider k.
func (g *seedGen) providerEdgeID(k, j int) string { return g.sideID(1<<51 | uint64(k)<<4 | uint64(j)) }

// lei makes a valid ISO 17442 LEI for provider k: a seeded prefix, the
// number, and the MOD 97-10 check digits.
func lei(k int) string {
	base := fmt.Sprintf("5493SEED%010d", k)
	rem := 0
	for _, c := range base + "00" {
		if c >= 'A' && c <= 'Z' {
			rem = (rem*100 + int(c-'A'+10)) % 97
		} else {
			rem = (rem*10 + int(c-'0')) % 97
		}
	}
	return base + fmt.Sprintf("%02d", 98-rem)
}

// providers generates the pool and the providers' own edges.
func (g *seedGen) providers(b *seedBatch) {
	n := g.opt.Providers
	for k := range n {
		r := rand.New(rand.NewPCG(g.seed^supplyChainTag, uint64(k)))
		a, kind := pick(r, seedProviderNames), pick(r, seedProviderKinds)
		name := fmt.Sprintf("%s %s P%04d", a, kind, k+1)
		created := g.importAt
		country := seedCountries[weighted(r, seedCountryWeights...)]
		v := register.Vendor{ID: g.providerID(k), Name: name, LegalName: name + " Inc.",
			Website: "https://" + strings.ToLower(strings.ReplaceAll(a+kind, " ", "")) + strconv.Itoa(k+1) + ".example.net",
			Service: "Provider to our vendors", Status: register.StatusFourthParty, Criticality: register.CriticalityModerate,
			Country: country, LEI: lei(k), RegistrationNumber: fmt.Sprintf("REG-%06d", k+1),
			Domain:  strings.ToLower(strings.ReplaceAll(a+kind, " ", "")) + strconv.Itoa(k+1) + ".example.net",
			Version: 1, CreatedAt: created, UpdatedAt: created}
		v.Risk = register.ComputeInherentRisk(register.RiskInputs{Criticality: v.Criticality})
		b.rows.Vendors = append(b.rows.Vendors, v)
		if k < seedHyperscalers {
			continue
		}
		// Most providers run on one or two of the hyperscalers.
		hosts := map[int]bool{}
		for range weighted(r, 20, 60, 20) {
			hosts[r.IntN(min(seedHyperscalers, k))] = true
		}
		j := 0
		for _, h := range sortedKeys(hosts) {
			b.rows.Dependencies = append(b.rows.Dependencies, register.Dependency{ID: g.providerEdgeID(k, j), VendorID: v.ID,
				ProviderID: g.providerID(h), Service: register.ServiceHosting, DataCategories: []string{register.CatContactPII},
				Countries: []string{seedCountries[weighted(r, seedCountryWeights...)]}, Source: register.SourcePublishedList,
				AsOf: g.today.AddDays(-r.IntN(365)), Version: 1, CreatedAt: created, UpdatedAt: created})
			j++
		}
	}
}

// dependencies generates vendor i's providers: 1 to 7 distinct ones (about
// 4) for a vendor that holds data, drawn with a Zipf law over the pool.
func (g *seedGen) dependencies(i int, vc *seedVendorCtx, created time.Time, b *seedBatch) {
	n := g.opt.Providers
	if n == 0 || len(vc.handling) == 0 || vc.status == register.StatusProspect {
		return
	}
	r := rand.New(rand.NewPCG(g.seed^supplyChainTag, uint64(1)<<40|uint64(i)))
	zipf := rand.NewZipf(r, 1.3, 2, uint64(n-1))
	chosen := map[int]bool{}
	want := min(1+weighted(r, 5, 10, 20, 25, 20, 12, 8), n)
	for try := 0; len(chosen) < want && try < 64; try++ {
		chosen[int(zipf.Uint64())] = true
	}
	for j, k := range sortedKeys(chosen) {
		var cats []string
		for _, h := range vc.handling {
			if chance(r, 0.6) {
				cats = append(cats, h.Category)
			}
		}
		if cats == nil {
			cats = []string{vc.handling[0].Category}
		}
		countries := []string{seedCountries[weighted(r, seedCountryWeights...)]}
		if chance(r, 0.3) {
			countries = append(countries, seedCountries[weighted(r, seedCountryWeights...)])
		}
		slices.Sort(countries)
		b.rows.Dependencies = append(b.rows.Dependencies, register.Dependency{ID: g.vendorEdgeID(i, j), VendorID: vc.id,
			ProviderID: g.providerID(k), Service: seedProviderServices[weighted(r, seedProviderServiceWeights...)],
			DataCategories: cats, Countries: slices.Compact(countries),
			Source: seedSources[weighted(r, seedSourceWeights...)], AsOf: g.today.AddDays(-r.IntN(730)),
			Version: 1, CreatedAt: created, UpdatedAt: created})
	}
}

func sortedKeys(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
