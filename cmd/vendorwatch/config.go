package main

import (
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"time"

	"github.com/caarlos0/env/v11"
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
}

// loadConfig reads the environment through getenv.
func loadConfig(getenv func(string) string) (config, error) {
	var cfg config
	err := env.ParseWithOptions(&cfg, env.Options{Environment: environ(getenv)})
	if err != nil {
		return cfg, fmt.Errorf("configuration: %w", err)
	}
	return cfg, nil
}

// environ builds the map caarlos0/env reads from, for the VW_ names only.
func environ(getenv func(string) string) map[string]string {
	m := map[string]string{}
	for _, k := range []string{"VW_DATABASE_URL", "VW_DATA_DIR", "VW_HTTP_ADDR", "VW_LOG_LEVEL", "VW_API_KEY_PEPPER",
		"VW_TRUSTED_PROXIES", "VW_MIGRATE_ON_START", "VW_DB_MAX_CONNS", "VW_MAX_BODY_BYTES", "VW_SHUTDOWN_TIMEOUT"} {
		if v := getenv(k); v != "" {
			m[k] = v
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
