// Package access holds API keys and the requests they make: key generation
// and peppered hashing, authentication with a short-lived cache of
// verified keys, and the idempotency records that make a repeated POST
// return its first response. Roles are in the kernel (domain.Role); the
// route-by-role table is in package api.
package access
