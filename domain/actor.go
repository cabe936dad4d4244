package domain

import "context"

// Role is what an API key may do. The route-by-role table is in the api
// package.
type Role string

// Roles.
const (
	RoleAdmin         Role = "admin"
	RoleVendorManager Role = "vendor_manager"
	RoleLegal         Role = "legal"
	RoleExecutive     Role = "executive"
	RoleAuditor       Role = "auditor" // read-only
)

// Roles lists every role.
var Roles = []Role{RoleAdmin, RoleVendorManager, RoleLegal, RoleExecutive, RoleAuditor}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, v := range Roles {
		if r == v {
			return true
		}
	}
	return false
}

// Actor is who performs a write: an API key, or the system itself.
type Actor struct {
	ID   string // API key id, or "system"
	Name string
	Role Role
}

// SystemActor is used for writes that no API key made (bootstrap, jobs,
// the command line).
var SystemActor = Actor{ID: "system", Name: "system", Role: RoleAdmin}

type actorKey struct{}

type requestIDKey struct{}

// WithActor returns ctx carrying the acting principal.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor in ctx, or SystemActor.
func ActorFrom(ctx context.Context) Actor {
	if a, ok := ctx.Value(actorKey{}).(Actor); ok {
		return a
	}
	return SystemActor
}

// WithRequestID returns ctx carrying the request id for the audit trail.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestIDFrom returns the request id in ctx, or "".
func RequestIDFrom(ctx context.Context) string {
	s, _ := ctx.Value(requestIDKey{}).(string)
	return s
}
