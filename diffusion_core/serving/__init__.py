"""Serving a room bigger than one app process: N `difflab app` workers behind nginx, each student's address
sticking to one worker (`nginx.py` writes the configuration, `room.py` starts and stops the processes;
`make room WORKERS=N`, docs/classroom.md "Serving a bigger room")."""
