package main

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/rogpeppe/go-internal/testscript"

	"github.com/enquete-field/enquete/archive/s3test"
)

// s3Cmds are the stories' commands for an S3 archive: a real versitygw
// the story starts, and a listing of its bucket.
var s3Cmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"s3server": cmdS3Server,
	"s3ls":     cmdS3Ls,
}

// s3Condition is the [versitygw] condition: the binary is installed. In
// CI its absence is an error: S3 stories never skip there.
func s3Condition() (bool, error) {
	if s3test.Binary() != "" {
		return true, nil
	}
	if ci := os.Getenv("CI"); ci != "" && ci != "false" {
		return false, fmt.Errorf("versitygw is required in CI (%s)", s3test.Install)
	}
	return false, nil
}

// cmdS3Server starts versitygw over $WORK/s3 until the story ends,
// creates the buckets named, and sets the AWS_* variables that point
// enquete at it.
func cmdS3Server(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: s3server BUCKET...")
	}
	bin := s3test.Binary()
	if bin == "" {
		ts.Fatalf("versitygw not installed (%s)", s3test.Install)
	}
	dir := ts.MkAbs("s3")
	ts.Check(os.MkdirAll(dir, 0o700))
	srv, err := s3test.Launch(bin, dir)
	ts.Check(err)
	ts.Defer(srv.Stop)
	for _, bucket := range args {
		ts.Check(srv.CreateBucket(context.Background(), bucket))
	}
	for _, kv := range srv.Env() {
		k, v, _ := strings.Cut(kv, "=")
		ts.Setenv(k, v)
	}
}

// cmdS3Ls prints the keys of BUCKET under PREFIX, one a line, sorted,
// through the story's AWS_* variables.
func cmdS3Ls(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: s3ls BUCKET PREFIX")
	}
	client := s3.New(s3.Options{
		BaseEndpoint: aws.String(ts.Getenv("AWS_ENDPOINT_URL_S3")),
		Region:       ts.Getenv("AWS_REGION"),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: ts.Getenv("AWS_ACCESS_KEY_ID"), SecretAccessKey: ts.Getenv("AWS_SECRET_ACCESS_KEY")}, nil
		}),
		UsePathStyle: true,
	})
	var keys []string
	pages := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{Bucket: &args[0], Prefix: &args[1]})
	for pages.HasMorePages() {
		page, err := pages.NextPage(context.Background())
		ts.Check(err)
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintln(ts.Stdout(), k)
	}
}
