# cmake -DSRC=<file> -DDST=<file> -P copy_if_exists.cmake: copies SRC to DST when SRC exists.
if(EXISTS "${SRC}")
  file(COPY_FILE "${SRC}" "${DST}" ONLY_IF_DIFFERENT)
else()
  message(STATUS "${SRC} not found (run `make deps`): /stomp/sockjs.min.js will answer 404")
endif()
