// Package incident holds vendor security incidents and the notification
// clock. The breach-notification clause in force when the vendor
// discovered an incident gives the vendor's notice deadline (NoticeDue)
// and the verdict on its notice: on time, late or overdue
// (ComputeNoticeClock). The regulatory catalogue (regimes.json, embedded)
// and the obligations engine (Catalogue.Obligations) give our own
// deadlines from the data, jurisdictions and records affected. The package
// also holds an incident's timeline, its notice evidence and the blast
// radius of a vendor breach.
package incident
