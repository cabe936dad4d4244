// Package api is the HTTP face of Vendorwatch: the Gin router, its
// middleware (request id, access log, recovery, metrics, authentication
// and role checks), one handler file per resource, the request and
// response types with their converters, and the single mapping from domain
// errors to RFC 9457 problem documents.
package api
