package archive

// SetS3PageKeys makes s list n keys a page, so that a test walks many
// pages over a few objects.
func SetS3PageKeys(s *S3, n int32) { s.pageKeys = n }
