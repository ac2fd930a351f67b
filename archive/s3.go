package archive

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"net"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/enquete-field/enquete/locales"
)

// S3 is a [Storage] and [State] in an S3-compatible bucket (AWS S3,
// Ceph RGW, MinIO, Garage, versitygw…), addressed s3://BUCKET/PREFIX.
//
// Object keys:
//
//	PREFIX/records/<64 hex>.age   one object per record, its record name
//	PREFIX/state/<state name>     the archive's state (key, roster, heads)
//
// Records sit flat under one prefix: their names are SHA-256 sums, so no
// hash-derived sub-folder would group anything a lab asks for (a day, a
// project), and a store partitions a flat prefix by itself. A listing by
// day or project reads the receipt log kept in state, not the records.
// No key says more than a record name does: no project, form or device in
// clear ("state/devices/NAME" holds enrolled devices' names, as the
// Folder's .state does). Records and state never collide: every record
// key is under "records/", every state key under "state/".
//
// Every object is written by one PutObject with its length, a seekable
// body, its SHA-256 (x-amz-checksum-sha256, which AWS and versitygw
// check and keep; Ceph RGW 16 ignores it and keeps none) and its MD5
// (Content-MD5, which all three check): bytes damaged on the way are
// refused, not stored. Records are written with If-None-Match: *, so a
// record already stored costs one refused request and changes nothing;
// the stored copy is then checked against the name (its kept checksum,
// its ETag when that is the record's MD5, or else its bytes) and a
// damaged one is overwritten with data (same name, same bytes: any
// number of writers agree). A PutObject the store acknowledged is
// durable, by the store's own promise.
type S3 struct {
	client   *s3.Client
	bucket   string
	prefix   string // "" or "PREFIX/"
	pageKeys int32  // keys a listing asks for a page; 0: the store's default (1000)
}

var (
	_ Storage = (*S3)(nil)
	_ State   = (*S3)(nil)
)

// S3Scheme starts an S3 archive address.
const S3Scheme = "s3://"

// s3DefaultRegion signs requests when no AWS_REGION is set: self-hosted
// stores accept any region, and AWS's default is us-east-1.
const s3DefaultRegion = "us-east-1"

// IsS3URL reports whether s is an S3 archive address (s3://…).
func IsS3URL(s string) bool { return strings.HasPrefix(s, S3Scheme) }

// OpenS3 opens the archive at rawURL, s3://BUCKET/PREFIX (PREFIX may be
// empty). The endpoint, region and credentials come from the standard
// AWS variables and files: AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL) for
// a store other than AWS, AWS_REGION, AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY, or a profile. Addressing is path-style
// (ENDPOINT/BUCKET/KEY), which every S3-compatible store accepts. Nothing
// is read from the bucket yet.
func OpenS3(ctx context.Context, rawURL string) (*S3, error) {
	bucket, prefix, err := parseS3URL(rawURL)
	if err != nil {
		return nil, err
	}
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, locales.Errorf("archive.s3.config", rawURL, oneLine(err)).Hint("archive.s3.hint").Wrap(err)
	}
	if cfg.Region == "" {
		cfg.Region = s3DefaultRegion
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.UsePathStyle = true
		// A store that keeps no checksum (Ceph RGW) would have the SDK
		// log a line on the user's stderr for every object read; each
		// record is checked against its name (its SHA-256) anyway.
		o.DisableLogOutputChecksumValidationSkipped = true
	})
	return NewS3(client, bucket, prefix), nil
}

// NewS3 returns the archive in bucket under prefix ("" or a folder,
// without leading or trailing slash), reached through client.
func NewS3(client *s3.Client, bucket, prefix string) *S3 {
	if prefix = strings.Trim(prefix, "/"); prefix != "" {
		prefix += "/"
	}
	return &S3{client: client, bucket: bucket, prefix: prefix}
}

// parseS3URL splits s3://BUCKET/PREFIX.
func parseS3URL(raw string) (bucket, prefix string, err error) {
	bad := locales.Errorf("archive.s3.bad_url", quoteRecordName(raw)).Hint("archive.s3.bad_url.hint")
	if !IsS3URL(raw) {
		return "", "", bad
	}
	u, perr := url.Parse(raw)
	if perr != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", "", bad
	}
	prefix = strings.Trim(u.Path, "/")
	for _, part := range strings.Split(prefix, "/") {
		if part == "." || part == ".." || (part == "" && prefix != "") {
			return "", "", bad
		}
	}
	return u.Host, prefix, nil
}

// String returns the archive's address, s3://BUCKET/PREFIX.
func (s *S3) String() string {
	if s.prefix == "" {
		return S3Scheme + s.bucket
	}
	return S3Scheme + s.bucket + "/" + strings.TrimSuffix(s.prefix, "/")
}

func (s *S3) recordKey(name string) string { return s.prefix + "records/" + name }
func (s *S3) stateKey(name string) string  { return s.prefix + "state/" + name }

// Put implements [Storage.Put].
func (s *S3) Put(ctx context.Context, name string, data []byte) error {
	if err := CheckContent(name, data); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	key := s.recordKey(name)
	err := s.put(ctx, key, data, true)
	if s3Status(err) != 412 {
		return err
	}
	// Already stored: by the same bytes, unless the copy was damaged.
	intact, err := s.holds(ctx, key, data)
	if err != nil || intact {
		return err
	}
	return s.put(ctx, key, data, false)
}

// s3ConflictRetries bounds the retries of a conditional write the store
// refused with 409 (another conditional write of the key in flight).
const s3ConflictRetries = 8

// put writes data at key in one PutObject; ifNew adds If-None-Match: *.
// Errors are user-facing, except a 412 (precondition failed) returned
// raw for the caller to read.
func (s *S3) put(ctx context.Context, key string, data []byte, ifNew bool) error {
	sum := sha256.Sum256(data)
	md5sum := md5.Sum(data)
	in := &s3.PutObjectInput{
		Bucket:         aws.String(s.bucket),
		Key:            aws.String(key),
		Body:           bytes.NewReader(data),
		ContentLength:  aws.Int64(int64(len(data))),
		ChecksumSHA256: aws.String(base64.StdEncoding.EncodeToString(sum[:])),
		// Checked by Ceph RGW 16 too, which ignores the SHA-256 (and
		// over HTTPS the SDK leaves the payload unsigned).
		ContentMD5: aws.String(base64.StdEncoding.EncodeToString(md5sum[:])),
	}
	if ifNew {
		in.IfNoneMatch = aws.String("*")
	}
	var err error
	for try := 0; try <= s3ConflictRetries; try++ {
		_, err = s.client.PutObject(ctx, in)
		if s3Status(err) != 409 {
			break
		}
		if werr := sleepCtx(ctx, time.Duration(10<<try)*time.Millisecond); werr != nil {
			return werr
		}
	}
	switch {
	case err == nil:
		return nil
	case s3Status(err) == 412:
		return err
	case ctx.Err() != nil:
		return ctx.Err()
	}
	return s.failure("archive.s3.write", key, err)
}

// holds reports whether key holds exactly data: its size, then the
// SHA-256 the store kept, else (an object written without one, by
// another tool) its bytes.
func (s *S3) holds(ctx context.Context, key string, data []byte) (bool, error) {
	head, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{
		Bucket: aws.String(s.bucket), Key: aws.String(key), ChecksumMode: types.ChecksumModeEnabled,
	})
	switch {
	case s3Missing(err):
		return false, nil
	case err != nil:
		return false, s.failure("archive.s3.read", key, err)
	case aws.ToInt64(head.ContentLength) != int64(len(data)):
		return false, nil
	}
	sum := sha256.Sum256(data)
	if kept := aws.ToString(head.ChecksumSHA256); kept != "" && !strings.Contains(kept, "-") {
		return kept == base64.StdEncoding.EncodeToString(sum[:]), nil
	}
	if etagIsMD5(head.ETag, data) {
		return true, nil
	}
	stored, err := s.get(ctx, key)
	if err != nil {
		return false, err
	}
	defer stored.Close()
	h := sha256.New()
	if _, err := io.Copy(h, stored); err != nil {
		return false, s.failure("archive.s3.read", key, err)
	}
	return bytes.Equal(h.Sum(nil), sum[:]), nil
}

// etagIsMD5 reports whether etag is the MD5 of data: the ETag of an
// object stored by one PutObject, unencrypted, on AWS and every store
// tried (Ceph RGW, versitygw). It spares reading back a stored copy when
// the store kept no SHA-256 (Ceph RGW 16 keeps none): a store's ETag, like
// its kept checksum, describes the bytes it was given. Another ETag (a
// multipart upload, an encrypted object, other bytes) proves nothing and
// the copy is read.
func etagIsMD5(etag *string, data []byte) bool {
	sum := md5.Sum(data)
	return strings.Trim(aws.ToString(etag), `"`) == hex.EncodeToString(sum[:])
}

// Has implements [Storage.Has].
func (s *S3) Has(ctx context.Context, name string) (bool, error) {
	if err := CheckName(name); err != nil {
		return false, err
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	key := s.recordKey(name)
	_, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	switch {
	case err == nil:
		return true, nil
	case s3Missing(err):
		return false, nil
	case ctx.Err() != nil:
		return false, ctx.Err()
	}
	return false, s.failure("archive.s3.read", key, err)
}

// Open implements [Storage.Open].
func (s *S3) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s.get(ctx, s.recordKey(name))
}

// get opens the object at key; a missing one wraps [ErrNotFound].
func (s *S3) get(ctx context.Context, key string) (io.ReadCloser, error) {
	out, err := s.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.bucket), Key: aws.String(key)})
	switch {
	case err == nil:
		return sizedBody{out.Body, aws.ToInt64(out.ContentLength)}, nil
	case s3Missing(err):
		return nil, locales.Errorf("archive.s3.not_found", s.bucket, key).Wrap(errors.Join(ErrNotFound, err))
	case ctx.Err() != nil:
		return nil, ctx.Err()
	}
	return nil, s.failure("archive.s3.read", key, err)
}

// sizedBody is an object's body that knows its length.
type sizedBody struct {
	io.ReadCloser
	size int64
}

// Size is the object's length, as the store announced it.
func (b sizedBody) Size() int64 { return b.size }

// Walk implements [Storage.Walk]: ListObjectsV2 under PREFIX/records/,
// a thousand keys a page, in constant memory. Keys that are not
// PREFIX/records/<record name> are skipped.
func (s *S3) Walk(ctx context.Context, fn func(name string, size int64) error) error {
	dir := s.recordKey("")
	return s.list(ctx, dir, func(key string, size int64) error {
		if name := strings.TrimPrefix(key, dir); ValidName(name) {
			return fn(name, size)
		}
		return nil
	})
}

// list calls fn for every object under prefix, page by page.
func (s *S3) list(ctx context.Context, prefix string, fn func(key string, size int64) error) error {
	in := &s3.ListObjectsV2Input{Bucket: aws.String(s.bucket), Prefix: aws.String(prefix)}
	if s.pageKeys > 0 {
		in.MaxKeys = aws.Int32(s.pageKeys)
	}
	pages := s3.NewListObjectsV2Paginator(s.client, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return s.failure("archive.s3.list", prefix, err)
		}
		for _, obj := range page.Contents {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := fn(aws.ToString(obj.Key), aws.ToInt64(obj.Size)); err != nil {
				return err
			}
		}
	}
	return nil
}

// Probe checks the bucket answers with these credentials (HeadBucket):
// the archive server's health check calls it. It writes nothing: a write
// every few seconds would pile up versions in a versioned bucket, and a
// store that takes reads but refuses writes fails the next Put loudly.
func (s *S3) Probe(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	_, err := s.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(s.bucket)})
	if err != nil {
		return s.failure("archive.s3.read", s.prefix, err)
	}
	return nil
}

// stateName checks a state name and returns its key.
func (s *S3) stateName(name string) (string, error) {
	if !validStateName(name) {
		return "", locales.Errorf("archive.storage.bad_name", quoteRecordName(name)).Wrap(ErrInvalidName)
	}
	return s.stateKey(name), nil
}

// GetState implements [State.GetState].
func (s *S3) GetState(ctx context.Context, name string) ([]byte, error) {
	key, err := s.stateName(name)
	if err != nil {
		return nil, err
	}
	r, err := s.get(ctx, key)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, s.failure("archive.s3.read", key, err)
	}
	return data, nil
}

// PutState implements [State.PutState]: one PutObject replaces the
// object whole, so a reader sees the old state or the new, never a mix.
func (s *S3) PutState(ctx context.Context, name string, data []byte) error {
	key, err := s.stateName(name)
	if err != nil {
		return err
	}
	return s.put(ctx, key, data, false)
}

// CreateState implements [State.CreateState] with If-None-Match: *: the
// store lets one writer of a key through, whatever the number of servers.
func (s *S3) CreateState(ctx context.Context, name string, data []byte) error {
	key, err := s.stateName(name)
	if err != nil {
		return err
	}
	err = s.put(ctx, key, data, true)
	if s3Status(err) == 412 {
		return &fs.PathError{Op: "create", Path: s.String() + "/state/" + name, Err: fs.ErrExist}
	}
	return err
}

// ListState implements [State.ListState].
func (s *S3) ListState(ctx context.Context, prefix string) ([]string, error) {
	dir := s.stateKey("")
	var names []string
	err := s.list(ctx, dir+prefix, func(key string, _ int64) error {
		if name := strings.TrimPrefix(key, dir); validStateName(name) {
			names = append(names, name)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	return names, nil
}

// failure is the user-facing error of a failed request on key: which
// bucket and key, the store's reason in one line, and where to look.
func (s *S3) failure(msgKey, key string, err error) error {
	return locales.Errorf(msgKey, s.bucket, key, oneLine(err)).Hint("archive.s3.hint").Wrap(err)
}

// s3Status returns the HTTP status of a failed request (0 when none came
// back, or err is nil).
func s3Status(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// s3Missing reports whether err says the object does not exist (404),
// not the bucket (NoSuchBucket: a configuration error to report). A
// HEAD's answer has no body to tell them apart: a missing bucket reads
// as a missing object there, and the next GET, PUT or listing reports it.
func s3Missing(err error) bool {
	var api smithy.APIError
	return s3Status(err) == 404 && !(errors.As(err, &api) && api.ErrorCode() == "NoSuchBucket")
}

// oneLine shortens an SDK error to its reason: the store's error code
// and message, or the network failure, on one line.
func oneLine(err error) string {
	var api smithy.APIError
	var op *net.OpError
	var msg string
	switch {
	case errors.As(err, &api):
		msg = api.ErrorCode()
		if m := api.ErrorMessage(); m != "" {
			msg += ": " + m
		}
	case errors.As(err, &op):
		msg = op.Error()
	default:
		msg = err.Error()
	}
	return strings.Join(strings.Fields(msg), " ")
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
