"""Scripts more than one test directory runs inside a sandbox."""

# Fill /tmp, /dev/shm and /work in turn with 256 KiB files, print the errno each stopped at
# and the total written: one disk budget for all three means the total is the budget.
FILL_ALL = """
import errno, os
written = 0
for directory in ("/tmp", "/dev/shm", "/work"):
    try:
        for i in range(100000):
            with open(os.path.join(directory, f"f{i}"), "wb") as handle:
                handle.write(b"x" * (256 * 1024))
    except OSError as error:
        print(directory, errno.errorcode[error.errno])
    written += sum(entry.stat().st_size for entry in os.scandir(directory)
                   if entry.name.startswith("f"))
print("written", round(written / (1024 * 1024)), "MiB")
"""
