-- A login attempt is counted before its password is verified (a row with
-- its own random id), so that attempts sent at the same moment cannot all
-- pass the check while the count is still low. A failure keeps its row; an
-- attempt that was never judged (the server was busy) removes it by id.
ALTER TABLE login_failures ADD COLUMN attempt TEXT NOT NULL DEFAULT '';
