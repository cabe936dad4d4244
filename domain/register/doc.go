// Package register is the vendor register: vendors and their lifecycle,
// the data each handles (data categories, access, record counts,
// jurisdictions), inherent risk scores and tiers, the facts that policy
// conditions select vendors by, and the daily risk snapshots kept for
// trends.
package register
