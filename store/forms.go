package store

// FormSealed reports whether the questionnaire with hex SHA-256 sum
// (crypto.FormHash) was already sealed into project's outbox, so that the
// lab receives each version of a project's form once.
func (h *Home) FormSealed(project, sum string) bool {
	if !validProjectID(project) || !validFormHash(sum) {
		return false
	}
	return h.exists(h.path(projectsDir, project, sealedFormsDir, sum))
}

// MarkFormSealed records that the questionnaire with hex SHA-256 sum was
// sealed into project's outbox. Call it after AddToOutbox: a crash between
// the two seals the form once more, which costs a duplicate, not a loss.
func (h *Home) MarkFormSealed(project, sum string) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if err := ValidProjectID(project); err != nil {
		return err
	}
	if !validFormHash(sum) {
		return errorString("store: MarkFormSealed: not a hex SHA-256: " + sum)
	}
	dir := h.path(projectsDir, project, sealedFormsDir)
	if err := h.mkdir(h.path(projectsDir, project)); err != nil {
		return err
	}
	if err := h.mkdir(dir); err != nil {
		return err
	}
	return h.writeFile(h.path(projectsDir, project, sealedFormsDir, sum), nil)
}

// validFormHash reports whether sum is a lower-case hex SHA-256.
func validFormHash(sum string) bool { return len(sum) == 64 && isLowerHex(sum) }
