// Command certclient is the example integration the certification
// rehearsal is shown with (README, "Certification rehearsal"): it logs in,
// creates an account with three users, reads them back, fetches the newest
// CDR file over SFTP and logs out. It reads where to go from the variables
// `fakealianza certify` sets (ALIANZA_BASE_URL, ALIANZA_USERNAME, ...).
//
//	certclient             the well-behaved client: logs in again on a 401,
//	                       backs off on 5xx and timeouts, honours Retry-After,
//	                       corrects a rejected request, re-reads a vanished
//	                       object, waits for late datafeed files, logs out
//	certclient -careless   none of that: every failure is retried at once,
//	                       unchanged, with the same token; no timeout
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stderr)
	stop()
	os.Exit(code)
}

// configFromEnv reads the variables `fakealianza certify` sets.
func configFromEnv(getenv func(string) string) config {
	return config{
		BaseURL: getenv("ALIANZA_BASE_URL"), Username: getenv("ALIANZA_USERNAME"), Password: getenv("ALIANZA_PASSWORD"),
		PartitionID: getenv("ALIANZA_PARTITION_ID"),
		SFTPAddr:    getenv("ALIANZA_SFTP_ADDR"), SFTPUser: getenv("ALIANZA_SFTP_USERNAME"),
		SFTPPassword: getenv("ALIANZA_SFTP_PASSWORD"), SFTPHostKey: getenv("ALIANZA_SFTP_HOST_KEY"),
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) int {
	cfg := configFromEnv(getenv)
	cfg.Log = stderr
	fs := flag.NewFlagSet("certclient", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&cfg.Careless, "careless", false, "no re-login, no back-off, no timeout, no logout")
	fs.DurationVar(&cfg.Timeout, "timeout", 30*time.Second, "timeout of each HTTP call (well-behaved client)")
	fs.DurationVar(&cfg.Backoff, "backoff", 500*time.Millisecond, "first pause before a retry (well-behaved client)")
	fs.DurationVar(&cfg.PollEvery, "poll-every", 2*time.Second, "pause between listings of an empty datafeed (well-behaved client)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if cfg.BaseURL == "" || cfg.Username == "" || cfg.PartitionID == "" {
		fmt.Fprintln(stderr, "certclient: set ALIANZA_BASE_URL, ALIANZA_USERNAME, ALIANZA_PASSWORD and ALIANZA_PARTITION_ID (fakealianza certify does)")
		return 2
	}
	if err := newClient(cfg).run(ctx); err != nil {
		fmt.Fprintln(stderr, "certclient:", err)
		return 1
	}
	return 0
}
