package main

import (
	"encoding/json"
	"net"
	"net/url"
	"os"
	"path"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// No Docker engine runs where the tests run, so the image and the compose
// stack are checked by reading them: the paths, the user, the volume, the
// data directory and the health check must agree with each other and with
// the binary.

// nonrootUID is the distroless "nonroot" user (and group).
const nonrootUID = "65532"

// instruction is one Dockerfile instruction: its keyword and the rest.
type instruction struct{ op, args string }

// dockerStage is one FROM ... section of a Dockerfile.
type dockerStage struct {
	name, image string
	ins         []instruction
}

// readDockerfile splits a Dockerfile into stages of instructions, joining
// continued lines and dropping comments.
func readDockerfile(t *testing.T, name string) []dockerStage {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	var stages []dockerStage
	var line string
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(strings.TrimSpace(l), "#") {
			continue
		}
		if strings.HasSuffix(l, "\\") {
			line += strings.TrimSuffix(l, "\\") + " "
			continue
		}
		line += l
		op, args, _ := strings.Cut(strings.TrimSpace(line), " ")
		line = ""
		switch op = strings.ToUpper(op); op {
		case "":
		case "FROM":
			image, name, _ := strings.Cut(args, " AS ")
			stages = append(stages, dockerStage{name: strings.TrimSpace(name), image: strings.TrimSpace(image)})
		default:
			if len(stages) == 0 {
				t.Fatalf("%s: %s before FROM", name, op)
			}
			s := &stages[len(stages)-1]
			s.ins = append(s.ins, instruction{op, strings.TrimSpace(args)})
		}
	}
	return stages
}

// all returns the arguments of every op instruction of the stage.
func (s dockerStage) all(op string) []string {
	var out []string
	for _, in := range s.ins {
		if in.op == op {
			out = append(out, in.args)
		}
	}
	return out
}

// env returns the stage's ENV variables (KEY=VALUE form).
func (s dockerStage) env() map[string]string {
	m := map[string]string{}
	for _, a := range s.all("ENV") {
		for _, kv := range strings.Fields(a) {
			k, v, _ := strings.Cut(kv, "=")
			m[k] = v
		}
	}
	return m
}

// execForm reads a JSON-array instruction argument (["/vendorwatch", "serve"]).
func execForm(t *testing.T, s string) []string {
	t.Helper()
	var out []string
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		t.Errorf("%q is not in exec form (a JSON array): %v", s, err)
	}
	return out
}

// nonrootDirs returns the directories of the final image that COPY
// --chown=65532:65532 creates: the directories an earlier stage makes
// (RUN mkdir -p) below a copied source directory, at their place below
// the destination.
func nonrootDirs(stages []dockerStage) []string {
	byName := map[string]dockerStage{}
	for _, s := range stages {
		byName[s.name] = s
	}
	var dirs []string
	for _, cp := range stages[len(stages)-1].all("COPY") {
		f := strings.Fields(cp)
		if !slices.Contains(f, "--chown="+nonrootUID+":"+nonrootUID) || len(f) < 2 {
			continue
		}
		src, dst := f[len(f)-2], f[len(f)-1]
		var from string
		for _, a := range f {
			from = strings.TrimPrefix(a, "--from=")
			if from != a {
				break
			}
			from = ""
		}
		for _, run := range byName[from].all("RUN") {
			for _, cmd := range strings.Split(run, "&&") {
				w := strings.Fields(cmd)
				if len(w) < 3 || w[0] != "mkdir" || w[1] != "-p" {
					continue
				}
				for _, d := range w[2:] {
					if rel, ok := strings.CutPrefix(d, strings.TrimSuffix(src, "/")+"/"); ok {
						dirs = append(dirs, path.Join(dst, rel))
					} else if d == src {
						dirs = append(dirs, dst)
					}
				}
			}
		}
	}
	return dirs
}

// composeFile is the part of docker-compose.yml the test reads.
type composeFile struct {
	Services map[string]struct {
		Image       string                       `json:"image"`
		Build       string                       `json:"build"`
		User        string                       `json:"user"`
		Environment map[string]string            `json:"environment"`
		Ports       []string                     `json:"ports"`
		Volumes     []string                     `json:"volumes"`
		DependsOn   map[string]map[string]string `json:"depends_on"`
		Healthcheck *struct {
			Test []string `json:"test"`
		} `json:"healthcheck"`
	} `json:"services"`
	Volumes map[string]any `json:"volumes"`
}

func port(t *testing.T, addr string) string {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Errorf("listen address %q: %v", addr, err)
	}
	return p
}

func TestDockerImageAndCompose(t *testing.T) {
	stages := readDockerfile(t, "../../Dockerfile")
	if len(stages) < 2 {
		t.Fatalf("Dockerfile has %d stages, want a build stage and the image", len(stages))
	}
	img := stages[len(stages)-1]
	if !strings.HasPrefix(img.image, "gcr.io/distroless/") || !strings.HasSuffix(img.image, ":nonroot") {
		t.Errorf("final image %q: want a distroless :nonroot image", img.image)
	}
	if users := img.all("USER"); len(users) != 1 || users[0] != nonrootUID+":"+nonrootUID {
		t.Errorf("USER %v, want %s:%s (distroless nonroot)", users, nonrootUID, nonrootUID)
	}
	env := img.env()
	dataDir := env["VW_DATA_DIR"]
	if !path.IsAbs(dataDir) {
		t.Fatalf("ENV VW_DATA_DIR=%q: want an absolute directory of the image", dataDir)
	}
	// The data directory exists in the image, owned by nonroot: a named
	// volume mounted on it starts with that owner, so the service can
	// write its SQLite file, evidence and report files.
	if dirs := nonrootDirs(stages); !slices.Contains(dirs, dataDir) {
		t.Errorf("the image has no %s owned by %s (directories made by COPY --chown=%s:%s: %v)", dataDir, nonrootUID, nonrootUID, nonrootUID, dirs)
	}
	if v := img.all("VOLUME"); len(v) != 1 || !slices.Contains(execForm(t, v[0]), dataDir) {
		t.Errorf("VOLUME %v, want %s", v, dataDir)
	}
	entry := img.all("ENTRYPOINT")
	if len(entry) != 1 || !slices.Equal(execForm(t, entry[0]), []string{"/vendorwatch"}) {
		t.Fatalf("ENTRYPOINT %v, want [\"/vendorwatch\"]", entry)
	}
	if !slices.ContainsFunc(img.all("COPY"), func(a string) bool { return strings.HasSuffix(a, " /vendorwatch") }) {
		t.Error("no COPY puts the binary at /vendorwatch")
	}
	knownCommand := func(name string) bool {
		return slices.ContainsFunc(commands, func(c commandHelp) bool { return c.name == name })
	}
	if cmd := img.all("CMD"); len(cmd) != 1 || !knownCommand(execForm(t, cmd[0])[0]) {
		t.Errorf("CMD %v is not a command of the binary", cmd)
	}
	hc := img.all("HEALTHCHECK")
	if len(hc) != 1 || !strings.HasSuffix(hc[0], `CMD ["/vendorwatch", "healthcheck"]`) || !knownCommand("healthcheck") {
		t.Errorf("HEALTHCHECK %v: want CMD [\"/vendorwatch\", \"healthcheck\"] (no shell or curl in distroless)", hc)
	}
	if ex := img.all("EXPOSE"); len(ex) != 1 || ex[0] != port(t, env["VW_HTTP_ADDR"]) {
		t.Errorf("EXPOSE %v, but VW_HTTP_ADDR is %q", ex, env["VW_HTTP_ADDR"])
	}

	b, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var cf composeFile
	if err := yaml.Unmarshal(b, &cf); err != nil {
		t.Fatal(err)
	}
	vw, pg := cf.Services["vendorwatch"], cf.Services["postgres"]
	if vw.Build != "." {
		t.Errorf("vendorwatch builds %q, want . (this Dockerfile)", vw.Build)
	}
	if vw.User != "" && vw.User != nonrootUID && vw.User != nonrootUID+":"+nonrootUID {
		t.Errorf("compose runs vendorwatch as %q; the data directory belongs to %s", vw.User, nonrootUID)
	}
	if d := vw.Environment["VW_DATA_DIR"]; d != "" && d != dataDir {
		t.Errorf("compose sets VW_DATA_DIR=%s, the image makes %s", d, dataDir)
	}
	if d := vw.Environment["VW_EVIDENCE_DIR"]; d != "" && !strings.HasPrefix(d, dataDir+"/") {
		t.Errorf("VW_EVIDENCE_DIR=%s is outside the data volume", d)
	}
	var mounted bool
	for _, v := range vw.Volumes {
		name, target, _ := strings.Cut(v, ":")
		if _, named := cf.Volumes[name]; named && target == dataDir {
			mounted = true
		}
	}
	if !mounted {
		t.Errorf("no named volume is mounted at the data directory %s: %v", dataDir, vw.Volumes)
	}
	addr := vw.Environment["VW_HTTP_ADDR"]
	if addr == "" {
		addr = env["VW_HTTP_ADDR"]
	}
	if len(vw.Ports) != 1 || !strings.HasSuffix(vw.Ports[0], ":"+port(t, addr)) {
		t.Errorf("ports %v do not publish the listen port of %q", vw.Ports, addr)
	}
	if vw.Healthcheck == nil || !slices.Equal(vw.Healthcheck.Test, []string{"CMD", "/vendorwatch", "healthcheck"}) {
		t.Errorf("vendorwatch healthcheck %+v, want [CMD /vendorwatch healthcheck]", vw.Healthcheck)
	}
	if pg.Healthcheck == nil || vw.DependsOn["postgres"]["condition"] != "service_healthy" {
		t.Error("vendorwatch must wait for a healthy postgres")
	}
	u, err := url.Parse(vw.Environment["VW_DATABASE_URL"])
	if err != nil {
		t.Fatal(err)
	}
	pass, _ := u.User.Password()
	if u.Hostname() != "postgres" || strings.TrimPrefix(u.Path, "/") != pg.Environment["POSTGRES_DB"] || pass != pg.Environment["POSTGRES_PASSWORD"] {
		t.Errorf("VW_DATABASE_URL %s does not reach the postgres service (database %s)", u.Redacted(), pg.Environment["POSTGRES_DB"])
	}
	ignore, err := os.ReadFile("../../.dockerignore")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{".git", "data/", "*.db"} {
		if !slices.Contains(strings.Fields(string(ignore)), want) {
			t.Errorf(".dockerignore does not keep %s out of the image", want)
		}
	}
}
