# verifyctl in a container: `docker build -t verifyctl .`, then `docker run --rm verifyctl --version`.
# The emulator: `docker run --rm -p 127.0.0.1:8765:8765 verifyctl emulator serve --host 0.0.0.0 --port 8765`.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# Installed from the build context (this repository), never from a package index by name.
COPY . /src
RUN python -m pip install /src \
    && rm -rf /src \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin verifyctl \
    && mkdir /work \
    && chown verifyctl:verifyctl /work

USER verifyctl
WORKDIR /work
EXPOSE 8765

ENTRYPOINT ["verifyctl"]
CMD ["--help"]
