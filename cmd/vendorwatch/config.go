package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"

	"github.com/vendorwatch/vendorwatch/api"
	"github.com/vendorwatch/vendorwatch/domain/access"
	"github.com/vendorwatch/vendorwatch/domain/incident"
	"github.com/vendorwatch/vendorwatch/domain/policy"
	"github.com/vendorwatch/vendorwatch/repository"
)

// config is every setting of the binary. Environment variables (VW_...)
// set it; command-line flags override them. The defaults make a
// zero-setup start work on the embedded SQLite file.
type config struct {
	DatabaseURL     string        `env:"VW_DATABASE_URL"`
	DataDir         string        `env:"VW_DATA_DIR" envDefault:"./data"`
	HTTPAddr        string        `env:"VW_HTTP_ADDR" envDefault:":8080"`
	LogLevel        slog.Level    `env:"VW_LOG_LEVEL" envDefault:"info"`
	APIKeyPepper    string        `env:"VW_API_KEY_PEPPER"` // secret: never logged
	TrustedProxies  []string      `env:"VW_TRUSTED_PROXIES" envSeparator:","`
	MigrateOnStart  bool          `env:"VW_MIGRATE_ON_START" envDefault:"true"`
	DBMaxConns      int           `env:"VW_DB_MAX_CONNS" envDefault:"32"`
	MaxBodyBytes    int64         `env:"VW_MAX_BODY_BYTES" envDefault:"1048576"`
	ShutdownTimeout time.Duration `env:"VW_SHUTDOWN_TIMEOUT" envDefault:"20s"`
	RatePerKey      float64       `env:"VW_RATE_LIMIT" envDefault:"50"` // requests per second per API key; 0 disables
	RateBurst       int           `env:"VW_RATE_BURST" envDefault:"100"`
	// Failed authentications per second per client address, and the burst,
	// before the address is refused (429) without a database lookup; 0
	// disables.
	AuthFailureRate  float64 `env:"VW_AUTH_FAILURE_RATE" envDefault:"1"`
	AuthFailureBurst int     `env:"VW_AUTH_FAILURE_BURST" envDefault:"20"`

	// The web console's sessions end after SessionIdle without a request
	// and SessionMax after sign-in; CookieSecure ("on") marks the session
	// cookie Secure when TLS ends at a proxy (it is Secure anyway on a TLS
	// connection).
	SessionIdle  time.Duration `env:"VW_SESSION_IDLE" envDefault:"30m"`
	SessionMax   time.Duration `env:"VW_SESSION_MAX" envDefault:"12h"`
	CookieSecure string        `env:"VW_COOKIE_SECURE" envDefault:"off"`

	// Single sign-on with OpenID Connect, on when OIDCIssuer is set: the
	// client registered at the provider, the console's callback address,
	// scopes beyond openid/email/profile, and which claim (OIDCRoleClaim)
	// maps to which role (OIDCRoles, "value=role,value=role", the first
	// match wins). OIDCClientSecret is a secret: never logged.
	OIDCIssuer       string   `env:"VW_OIDC_ISSUER"`
	OIDCClientID     string   `env:"VW_OIDC_CLIENT_ID"`
	OIDCClientSecret string   `env:"VW_OIDC_CLIENT_SECRET"`
	OIDCRedirectURL  string   `env:"VW_OIDC_REDIRECT_URL"`
	OIDCScopes       []string `env:"VW_OIDC_SCOPES" envSeparator:","`
	OIDCRoleClaim    string   `env:"VW_OIDC_ROLE_CLAIM" envDefault:"groups"`
	OIDCRoles        string   `env:"VW_OIDC_ROLES"`

	// DebugAddr, when set, serves net/http/pprof on its own listener
	// (e.g. 127.0.0.1:6060). Off by default: profiles reveal internals, so
	// bind it to loopback only.
	DebugAddr string `env:"VW_DEBUG_ADDR"`

	// Evidence files: the content-addressed store (default
	// $VW_DATA_DIR/evidence) and the largest file accepted (25 MiB).
	EvidenceDir      string `env:"VW_EVIDENCE_DIR"`
	EvidenceMaxBytes int64  `env:"VW_EVIDENCE_MAX_BYTES" envDefault:"26214400"`

	// Background jobs. VW_SCHEDULER=off stops this replica from running
	// scheduled jobs (manual runs through the API still work). Schedules
	// are five-field cron specs in UTC (or @hourly, @daily, @every 30m);
	// a bad spec stops serve at start. JobTimeout cancels a run; a run
	// still marked running after it (plus a minute) is abandoned.
	Scheduler        string `env:"VW_SCHEDULER" envDefault:"on"`
	ScanSchedule     string `env:"VW_SCAN_SCHEDULE" envDefault:"0 * * * *"`
	SnapshotSchedule string `env:"VW_SNAPSHOT_SCHEDULE" envDefault:"15 2 * * *"`
	// ReportSchedule is when the scheduled audit report runs (default
	// Mondays at 06:00 UTC); "off" disables it.
	ReportSchedule string        `env:"VW_REPORT_SCHEDULE" envDefault:"0 6 * * 1"`
	JobTimeout     time.Duration `env:"VW_JOB_TIMEOUT" envDefault:"1h"`
	// ReportWorkers is how many report runs generate at once; the others
	// wait queued.
	ReportWorkers int `env:"VW_REPORT_WORKERS" envDefault:"2"`

	// Outbound webhooks: attempts per delivery before it is marked
	// failed, the wait after the first failure (doubling, capped at 6h),
	// the timeout of one POST, and whether loopback/private addresses may
	// be targets (off: SSRF protection).
	WebhookMaxAttempts  int           `env:"VW_WEBHOOK_MAX_ATTEMPTS" envDefault:"6"`
	WebhookBackoff      time.Duration `env:"VW_WEBHOOK_BACKOFF" envDefault:"1m"`
	WebhookTimeout      time.Duration `env:"VW_WEBHOOK_TIMEOUT" envDefault:"10s"`
	WebhookAllowPrivate bool          `env:"VW_WEBHOOK_ALLOW_PRIVATE" envDefault:"false"`
	// WebhookKeyFile holds the key that seals webhook secrets at rest
	// (default $VW_DATA_DIR/webhook.key, created on first use);
	// WebhookOldKeyFiles are earlier keys, which still open what they
	// sealed. Every replica needs the same key.
	WebhookKeyFile     string   `env:"VW_WEBHOOK_KEY_FILE"`
	WebhookOldKeyFiles []string `env:"VW_WEBHOOK_OLD_KEY_FILES" envSeparator:","`

	// ImportMaxBytes limits an uploaded spreadsheet import (32 MiB).
	ImportMaxBytes int64 `env:"VW_IMPORT_MAX_BYTES" envDefault:"33554432"`

	// OrgEntityTypes says what kind of organisation we are, which decides
	// the regulatory regimes that bind us (e.g. sec_registrant,
	// hipaa_covered_entity); see GET /api/v1/regimes.
	OrgEntityTypes []string `env:"VW_ORG_ENTITY_TYPES" envSeparator:","`

	// The audit log: the file holding the Ed25519 key that signs its
	// checkpoints (default $VW_DATA_DIR/audit-log.key, created with mode
	// 0600 by the first serve), the append-only file its checkpoints are
	// published to (default $VW_DATA_DIR/audit-checkpoints.jsonl), and how
	// often the sealer seals committed events.
	AuditKeyFile        string        `env:"VW_AUDIT_KEY_FILE"`
	AuditCheckpointFile string        `env:"VW_AUDIT_CHECKPOINT_FILE"`
	AuditSealInterval   time.Duration `env:"VW_AUDIT_SEAL_INTERVAL" envDefault:"1s"`

	// PolicyFile is an optional JSON file whose sections replace the
	// cited default policy (clause requirements, standard windows,
	// attestation requirements, review cadence).
	PolicyFile string `env:"VW_POLICY_FILE"`
}

// policy loads the policy file, or returns the defaults.
func (c config) policy() (policy.Policy, error) {
	if c.PolicyFile == "" {
		return policy.DefaultPolicy(), nil
	}
	f, err := os.Open(c.PolicyFile)
	if err != nil {
		return policy.Policy{}, fmt.Errorf("VW_POLICY_FILE: %w", err)
	}
	defer f.Close()
	p, err := policy.LoadPolicy(f)
	if err != nil {
		return policy.Policy{}, fmt.Errorf("VW_POLICY_FILE %s: %w", c.PolicyFile, err)
	}
	return p, nil
}

// orgProfile validates the declared entity types.
func (c config) orgProfile() (incident.OrgProfile, error) {
	var p incident.OrgProfile
	for _, s := range c.OrgEntityTypes {
		e := incident.EntityType(strings.TrimSpace(s))
		if !e.Valid() {
			return p, fmt.Errorf("VW_ORG_ENTITY_TYPES: unknown entity type %q (known: %v)", s, incident.EntityTypes())
		}
		p.EntityTypes = append(p.EntityTypes, e)
	}
	return p, nil
}

// loadConfig reads the environment through getenv.
func loadConfig(getenv func(string) string) (config, error) {
	var cfg config
	err := env.ParseWithOptions(&cfg, env.Options{Environment: environ(getenv)})
	if err != nil {
		return cfg, fmt.Errorf("configuration: %w", err)
	}
	if cfg.DBMaxConns < minDBConns {
		return cfg, fmt.Errorf("configuration: VW_DB_MAX_CONNS is %d; it must be at least %d", cfg.DBMaxConns, minDBConns)
	}
	if cfg.ReportWorkers < 1 {
		return cfg, fmt.Errorf("configuration: VW_REPORT_WORKERS is %d; it must be at least 1", cfg.ReportWorkers)
	}
	if cfg.SessionIdle < time.Minute || cfg.SessionMax < cfg.SessionIdle {
		return cfg, fmt.Errorf("configuration: VW_SESSION_IDLE is %s and VW_SESSION_MAX %s; the idle timeout must be at least 1m and at most the maximum",
			cfg.SessionIdle, cfg.SessionMax)
	}
	if _, err := cfg.cookieSecure(); err != nil {
		return cfg, fmt.Errorf("configuration: %w", err)
	}
	if _, err := cfg.sso(); err != nil {
		return cfg, fmt.Errorf("configuration: %w", err)
	}
	if cfg.AuditSealInterval < minSealInterval || cfg.AuditSealInterval > maxSealInterval {
		return cfg, fmt.Errorf("configuration: VW_AUDIT_SEAL_INTERVAL is %s; it must be between %s and %s",
			cfg.AuditSealInterval, minSealInterval, maxSealInterval)
	}
	return cfg, nil
}

// cookieSecure reads VW_COOKIE_SECURE.
func (c config) cookieSecure() (bool, error) {
	switch strings.ToLower(strings.TrimSpace(c.CookieSecure)) {
	case "", "off", "false", "0", "no":
		return false, nil
	case "on", "true", "1", "yes":
		return true, nil
	}
	return false, fmt.Errorf("VW_COOKIE_SECURE: %q is neither on nor off", c.CookieSecure)
}

// sso reads the VW_OIDC_* settings: nil when VW_OIDC_ISSUER is unset.
// The errors name the variables, never the secret's value.
func (c config) sso() (*api.SSOConfig, error) {
	if strings.TrimSpace(c.OIDCIssuer) == "" {
		return nil, nil
	}
	var missing []string
	for _, v := range []struct{ name, value string }{{"VW_OIDC_CLIENT_ID", c.OIDCClientID},
		{"VW_OIDC_CLIENT_SECRET", c.OIDCClientSecret}, {"VW_OIDC_REDIRECT_URL", c.OIDCRedirectURL}, {"VW_OIDC_ROLES", c.OIDCRoles}} {
		if strings.TrimSpace(v.value) == "" {
			missing = append(missing, v.name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("VW_OIDC_ISSUER is set, so single sign-on needs %s too", strings.Join(missing, ", "))
	}
	for name, raw := range map[string]string{"VW_OIDC_ISSUER": c.OIDCIssuer, "VW_OIDC_REDIRECT_URL": c.OIDCRedirectURL} {
		u, err := url.Parse(strings.TrimSpace(raw))
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return nil, fmt.Errorf("%s: %q is not an absolute http(s) URL", name, raw)
		}
	}
	if u, _ := url.Parse(strings.TrimSpace(c.OIDCRedirectURL)); u.Path != "/signin/sso/callback" {
		return nil, fmt.Errorf("VW_OIDC_REDIRECT_URL: %q must end in /signin/sso/callback", c.OIDCRedirectURL)
	}
	mapping, err := access.ParseRoleMapping(c.OIDCRoleClaim, c.OIDCRoles)
	if err != nil {
		return nil, fmt.Errorf("VW_OIDC_ROLE_CLAIM, VW_OIDC_ROLES: %w", err)
	}
	var scopes []string
	for _, s := range c.OIDCScopes {
		if s = strings.TrimSpace(s); s != "" {
			scopes = append(scopes, s)
		}
	}
	return &api.SSOConfig{Issuer: strings.TrimSpace(c.OIDCIssuer), ClientID: strings.TrimSpace(c.OIDCClientID),
		ClientSecret: c.OIDCClientSecret, RedirectURL: strings.TrimSpace(c.OIDCRedirectURL), Scopes: scopes,
		Mapping: mapping}, nil
}

// minDBConns is the smallest pool in which a compliance scan, or an audit
// workbook, can read: each reads on up to six connections at once
// (reserved together from the pool's read budget, all but two of eight
// connections; see repository/budget.go), and the two left over serve
// the scan's writes and short statements.
const minDBConns = 8

// environ builds the map caarlos0/env reads from: the variables named in
// config's env tags, read through getenv.
func environ(getenv func(string) string) map[string]string {
	m := map[string]string{}
	t := reflect.TypeFor[config]()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("env"), ",")
		if v := getenv(name); name != "" && v != "" {
			m[name] = v
		}
	}
	return m
}

// databaseURL is the configured URL, or the SQLite file in the data
// directory.
func (c config) databaseURL() string {
	if c.DatabaseURL != "" {
		return c.DatabaseURL
	}
	return "sqlite:" + filepath.Join(c.DataDir, "vendorwatch.db")
}

// evidenceDir is the root of the evidence store.
func (c config) evidenceDir() string {
	if c.EvidenceDir != "" {
		return c.EvidenceDir
	}
	return filepath.Join(c.DataDir, "evidence")
}

// webhookKeyFile is the file of the key that seals webhook secrets.
func (c config) webhookKeyFile() string {
	if c.WebhookKeyFile != "" {
		return c.WebhookKeyFile
	}
	return filepath.Join(c.DataDir, "webhook.key")
}

// secretKeys are the keys that seal webhook secrets, read on first use.
func (c config) secretKeys() *repository.SecretKeys {
	return repository.FileSecretKeys(c.webhookKeyFile(), c.WebhookOldKeyFiles...)
}

// redactedURL hides a password in a database URL for logs.
func (c config) redactedURL() string {
	raw := c.databaseURL()
	if u, err := url.Parse(raw); err == nil && u.User != nil {
		return u.Redacted()
	}
	return raw
}

// dbFlag registers --db on fs, overriding VW_DATABASE_URL.
func (c *config) dbFlag(fs *flag.FlagSet) {
	fs.StringVar(&c.DatabaseURL, "db", c.DatabaseURL, "database URL: postgres://... or sqlite:PATH (default: sqlite in VW_DATA_DIR)")
}
