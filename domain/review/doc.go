// Package review holds due-diligence reviews and their cadence by tier:
// when a vendor's next review is due and whether it is overdue.
package review
