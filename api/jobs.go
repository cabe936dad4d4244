package api

import (
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/vendorwatch/vendorwatch/domain"
	"github.com/vendorwatch/vendorwatch/domain/jobrun"
)

func (h *handlers) listJobRuns(c *gin.Context) error {
	f, p, err := jobRunQuery(c)
	if err != nil {
		return err
	}
	return listFiltered(c, f, p, h.jobs.List, identity[jobrun.JobRun], nil)
}

// jobRunQuery reads the filter (job, status) and the page of a job-run
// list, for the API and the console alike.
func jobRunQuery(c *gin.Context) (jobrun.JobRunFilter, domain.PageRequest, error) {
	p, err := pageRequest(c)
	if err != nil {
		return jobrun.JobRunFilter{}, p, err
	}
	status, err := enumQuery(c, "status", jobrun.JobStatus.Valid, "running, succeeded, failed, abandoned")
	if err != nil {
		return jobrun.JobRunFilter{}, p, err
	}
	return jobrun.JobRunFilter{Job: strings.TrimSpace(c.Query("job")), Status: status}, p, nil
}

func (h *handlers) getJobRun(c *gin.Context) error {
	return getByID(c, h.jobs.Get, identity[jobrun.JobRun])
}

// runJob starts a job now, in the background: 202 with the run, which
// GET /jobs/runs/{id} follows.
func (h *handlers) runJob(c *gin.Context) error {
	run, err := h.jobs.Trigger(c.Request.Context(), c.Param("name"))
	if err != nil {
		return err
	}
	c.Header("Location", "/api/v1/jobs/runs/"+run.ID)
	writeJSON(c, http.StatusAccepted, run)
	return nil
}

func (h *handlers) riskHistory(c *gin.Context) error {
	var from, to domain.Date
	for _, q := range []struct {
		name string
		dst  *domain.Date
	}{{"from", &from}, {"to", &to}} {
		if s := c.Query(q.name); s != "" {
			d, err := domain.ParseDate(s)
			if err != nil {
				return &badRequest{Field: q.name, Message: "must be a date such as 2026-11-23"}
			}
			*q.dst = d
		}
	}
	snaps, err := h.snapshots.History(c.Request.Context(), c.Param("id"), from, to)
	if err != nil {
		return err
	}
	writeJSON(c, http.StatusOK, gin.H{"items": nonNil(snaps)})
	return nil
}
