// Package jobrun records the runs of background jobs and triggers a job on
// demand. The scheduler that runs them, with its lease across replicas, is
// package jobs.
package jobrun
