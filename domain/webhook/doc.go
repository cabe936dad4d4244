// Package webhook publishes domain events to subscribers: webhook
// subscriptions, the outbox of deliveries written in the transaction of
// the change, and the HMAC signature a receiver verifies.
package webhook
