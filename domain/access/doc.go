// Package access holds who may call the service. Machines use API keys:
// key generation and peppered hashing, authentication with a short-lived
// cache of verified keys, and the idempotency records that make a
// repeated POST return its first response. People use console accounts
// (users.go): argon2id passwords, server-side sessions with idle and
// absolute timeouts, CSRF tokens tied to the session. Roles are in the
// kernel (domain.Role); the route-by-role table, which admits keys and
// sessions alike, is in package api.
package access
