package fakealianza_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/fakealianza/fakealianza"
	"github.com/fakealianza/fakealianza/fatest"
)

// A shell example in README.md or docs/*.md (a ```sh or ```bash block) runs
// as written, against a live server, unless the line before its fence holds
// a marker:
//
//	<!-- doctest: skip: why -->      not run (a long-running command, Docker, an interactive session)
//	<!-- doctest: any-status -->     HTTP errors are part of the example (curl is not made to fail on them)
//	<!-- doctest: starts-server -->  the block starts the server itself: "go run ./cmd/fakealianza"
//	                                 runs the test's build of it, "go build -o X ./cmd/fakealianza" copies it
//	                                 to X, and FAKEALIANZA_*_ADDR point it at free ports
//
// Every other block runs in bash with -euo pipefail, curl failing on an HTTP
// error status, against a fresh server; the addresses of the examples
// (localhost:8080, 8443, 10022) are rewritten to the server's.
const docMarker = "<!-- doctest:"

type docBlock struct {
	file   string
	line   int
	marker string // "", "skip", "any-status", "starts-server"
	code   string
}

func docBlocks(t *testing.T) []docBlock {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	var out []docBlock
	for _, f := range append([]string{"README.md"}, files...) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(b), "\n")
		for i := 0; i < len(lines); i++ {
			lang, ok := strings.CutPrefix(lines[i], "```")
			if !ok {
				continue
			}
			end := i + 1
			for end < len(lines) && !strings.HasPrefix(lines[end], "```") {
				end++
			}
			if lang == "sh" || lang == "bash" {
				blk := docBlock{file: f, line: i + 1, code: strings.Join(lines[i+1:end], "\n")}
				if i > 0 && strings.HasPrefix(lines[i-1], docMarker) {
					m := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(lines[i-1], docMarker), "-->"))
					blk.marker, _, _ = strings.Cut(m, ":")
					switch blk.marker {
					case "skip", "any-status", "starts-server":
					default:
						t.Errorf("%s:%d: unknown doctest marker %q", f, i, m)
					}
				}
				out = append(out, blk)
			}
			i = end
		}
	}
	return out
}

var (
	docBinOnce sync.Once
	docBin     string
	docBinErr  error
)

// docBinary builds cmd/fakealianza once, for the blocks that start it.
func docBinary(t *testing.T) string {
	t.Helper()
	docBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "fakealianza-doctest")
		if err != nil {
			docBinErr = err
			return
		}
		docBin = filepath.Join(dir, "fakealianza")
		out, err := exec.Command("go", "build", "-o", docBin, "./cmd/fakealianza").CombinedOutput()
		if err != nil {
			docBinErr = fmt.Errorf("build: %v\n%s", err, out)
		}
	})
	if docBinErr != nil {
		t.Fatal(docBinErr)
	}
	return docBin
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return fmt.Sprint(ln.Addr().(*net.TCPAddr).Port)
}

var (
	httpAddrRe  = regexp.MustCompile(`\b(localhost|127\.0\.0\.1):8080\b`)
	httpsPortRe = regexp.MustCompile(`:8443\b`)
	sftpPortRe  = regexp.MustCompile(`\b10022\b`)
	goBuildRe   = regexp.MustCompile(`go build -o (\S+) \./cmd/fakealianza`)
)

// rewrite points an example at the given ports.
func rewrite(code, httpPort, httpsPort, sftpPort string) string {
	code = httpAddrRe.ReplaceAllString(code, "127.0.0.1:"+httpPort)
	code = httpsPortRe.ReplaceAllString(code, ":"+httpsPort)
	return sftpPortRe.ReplaceAllString(code, sftpPort)
}

func portOf(t *testing.T, addr string) string {
	t.Helper()
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDocExamplesRun(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	for _, tool := range []string{"curl", "sftp"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed (.ci/run installs it)", tool)
		}
	}
	blocks := docBlocks(t)
	if len(blocks) < 15 {
		t.Fatalf("found %d shell examples; the extraction is broken", len(blocks))
	}
	ran := 0
	for _, b := range blocks {
		t.Run(fmt.Sprintf("%s:%d", b.file, b.line), func(t *testing.T) {
			if b.marker == "skip" {
				t.Skip("marked skip")
			}
			prelude := "set -euo pipefail\n"
			if b.marker != "any-status" {
				// --fail-with-body, unless the example asks for -f itself.
				prelude += `curl() {
  local a
  for a in "$@"; do
    case "$a" in
      --fail|--fail-with-body) command curl "$@"; return ;;
      --*) ;;
      -*f*) command curl "$@"; return ;;
    esac
  done
  command curl --fail-with-body "$@"
}
`
			}
			env := append(os.Environ(), "HOME="+t.TempDir())
			var code string
			if b.marker == "starts-server" {
				if testing.Short() {
					t.Skip("builds and starts the binary")
				}
				bin := docBinary(t)
				hp, sp, fp := freePort(t), freePort(t), freePort(t)
				code = rewrite(b.code, hp, sp, fp)
				code = strings.ReplaceAll(code, "go run ./cmd/fakealianza", `"$FAKEALIANZA_BIN"`)
				code = goBuildRe.ReplaceAllString(code, `cp "$$FAKEALIANZA_BIN" $1`)
				prelude += "trap 'kill $(jobs -p) 2>/dev/null || true' EXIT\n"
				env = append(env, "FAKEALIANZA_BIN="+bin, "FAKEALIANZA_HTTP_ADDR=127.0.0.1:"+hp,
					"FAKEALIANZA_HTTPS_ADDR=127.0.0.1:"+sp, "FAKEALIANZA_SFTP_ADDR=127.0.0.1:"+fp)
			} else {
				srv := fatest.New(t, func(o *fakealianza.Options) { o.HTTPSAddr = "127.0.0.1:0" })
				code = rewrite(b.code, portOf(t, srv.Addr()), portOf(t, srv.HTTPSAddr()), portOf(t, srv.SFTPAddr()))
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, "bash", "-c", prelude+code)
			cmd.Dir = t.TempDir()
			cmd.Env = env
			cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
			cmd.WaitDelay = 5 * time.Second
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%s:%d: %v\n--- example ---\n%s\n--- output ---\n%s", b.file, b.line, err, b.code, lastLines(out, 30))
			}
			ran++
		})
	}
	t.Logf("%d of %d shell examples ran", ran, len(blocks))
}

func lastLines(b []byte, n int) string {
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(string(b)))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) > n {
		lines = append([]string{"..."}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}
