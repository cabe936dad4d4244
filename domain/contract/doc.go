// Package contract holds contracts, their breach-notification clause
// versions (amendments close the open version and open a new one; the
// clause in force at an instant is the one that governs it) and the clause
// policy that audits a contract against what its vendor handles.
package contract
